package com.hivesync.jetbrains.core

import java.io.File

/** The operating systems whose command names differ. */
enum class Os {
    UNIX, WINDOWS;

    companion object {
        /** The OS this JVM runs on. */
        fun current(): Os = if (System.getProperty("os.name").lowercase().startsWith("windows")) WINDOWS else UNIX
    }
}

/** How hivesync-lsp is started: its command line and where it was found (shown in the LSP console's log). */
data class ServerCommand(val command: List<String>, val foundBy: String)

/**
 * Finds the `hivesync-lsp` command the way rust-analyzer's bootstrap finds its server: the configured path, then
 * the project's `node_modules/.bin` (a HiveSync checkout, or a project with @hivesync/lsp as a dependency), then the
 * PATH (`npm install -g @hivesync/lsp`). A server given as a `.js` file runs with node (the configured one, or node
 * from the PATH).
 */
object ServerLocator {
    const val NAME = "hivesync-lsp"

    /** The message shown when it is nowhere. */
    const val NOT_FOUND =
        "hivesync-lsp was not found: install it with `npm install -g @hivesync/lsp`, or set its path in Settings › Tools › HiveSync"

    /**
     * The command line, or null when the server is not found. [isFile] answers whether a path is an existing file
     * (executable, for the PATH), so the search is tested without touching the disk.
     */
    fun find(
        settings: HiveSyncSettings,
        projectDir: String?,
        path: String?,
        os: Os = Os.current(),
        isFile: (String) -> Boolean = { File(it).isFile },
    ): ServerCommand? {
        val names = if (os == Os.WINDOWS) listOf("$NAME.cmd", "$NAME.exe", NAME) else listOf(NAME)
        val sep = if (os == Os.WINDOWS) "\\" else "/"
        val configured = settings.serverPath.trim()
        if (configured.isNotEmpty()) {
            return if (isFile(configured)) command(configured, settings, "the configured path") else null
        }
        if (!projectDir.isNullOrBlank()) {
            for (name in names) {
                val candidate = listOf(projectDir.trimEnd('/', '\\'), "node_modules", ".bin", name).joinToString(sep)
                if (isFile(candidate)) return command(candidate, settings, "the project's node_modules")
            }
        }
        val dirs = (path ?: "").split(if (os == Os.WINDOWS) ';' else ':').filter { it.isNotBlank() }
        for (dir in dirs) {
            for (name in names) {
                val candidate = dir.trimEnd('/', '\\') + sep + name
                if (isFile(candidate)) return command(candidate, settings, "the PATH")
            }
        }
        return null
    }

    private fun command(file: String, settings: HiveSyncSettings, foundBy: String): ServerCommand {
        // The server speaks LSP on stdio and needs no arguments.
        val node = settings.nodePath.trim().ifEmpty { "node" }
        return if (file.endsWith(".js") || file.endsWith(".mjs")) ServerCommand(listOf(node, file), foundBy)
        else ServerCommand(listOf(file), foundBy)
    }
}
