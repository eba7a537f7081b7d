package com.hivesync.jetbrains

import com.google.gson.JsonObject
import com.google.gson.JsonParser
import com.hivesync.jetbrains.core.Json
import com.hivesync.jetbrains.core.ServerLocator
import com.intellij.execution.configurations.GeneralCommandLine
import com.intellij.openapi.project.Project
import com.intellij.openapi.project.guessProjectDir
import com.intellij.openapi.vfs.VirtualFile
import com.redhat.devtools.lsp4ij.LanguageServerFactory
import com.redhat.devtools.lsp4ij.client.LanguageClientImpl
import com.redhat.devtools.lsp4ij.server.CannotStartProcessException
import com.redhat.devtools.lsp4ij.server.OSProcessStreamConnectionProvider
import com.redhat.devtools.lsp4ij.server.StreamConnectionProvider

/** The server's id in plugin.xml (`com.redhat.devtools.lsp4ij.server`). */
const val HIVESYNC_SERVER_ID = "hivesync"

/** LSP4IJ's entry point: how to start hivesync-lsp and the client that answers its settings requests. */
class HiveSyncLanguageServerFactory : LanguageServerFactory {
    override fun createConnectionProvider(project: Project): StreamConnectionProvider = HiveSyncConnectionProvider(project)

    override fun createLanguageClient(project: Project): LanguageClientImpl = HiveSyncLanguageClient(project)
}

/** Starts hivesync-lsp on stdio, found by [ServerLocator] from the settings, the project and the PATH. */
class HiveSyncConnectionProvider(private val project: Project) : OSProcessStreamConnectionProvider() {
    private val found = ServerLocator.find(
        HiveSyncSettingsService.getInstance().settings(),
        project.guessProjectDir()?.path,
        System.getenv("PATH"),
    )

    init {
        if (found != null) {
            commandLine = GeneralCommandLine(found.command)
                .withWorkDirectory(project.basePath)
                .withParentEnvironmentType(GeneralCommandLine.ParentEnvironmentType.CONSOLE)
        }
    }

    override fun start() {
        if (found == null) throw CannotStartProcessException(ServerLocator.NOT_FOUND)
        val problems = HiveSyncSessionSupport.problems()
        if (problems.isNotEmpty()) throw CannotStartProcessException("HiveSync settings: " + problems.joinToString("; "))
        super.start()
    }

    override fun getInitializationOptions(rootUri: VirtualFile?): Any =
        JsonParser.parseString(Json.write(HiveSyncSettingsService.getInstance().settings().toConfiguration()))
}

/** Answers workspace/configuration's `hivesync` section from the settings. */
class HiveSyncLanguageClient(project: Project) : LanguageClientImpl(project) {
    override fun createSettings(): Any =
        JsonParser.parseString(Json.write(HiveSyncSettingsService.getInstance().settings().configurationSection(null))) as JsonObject
}
