package com.hivesync.jetbrains

import com.hivesync.jetbrains.core.HiveSyncSettings
import com.intellij.openapi.options.BoundConfigurable
import com.intellij.openapi.options.ConfigurationException
import com.intellij.openapi.project.ProjectManager
import com.intellij.openapi.ui.DialogPanel
import com.intellij.ui.dsl.builder.bindIntText
import com.intellij.ui.dsl.builder.bindItem
import com.intellij.ui.dsl.builder.bindSelected
import com.intellij.ui.dsl.builder.bindText
import com.intellij.ui.dsl.builder.columns
import com.intellij.ui.dsl.builder.COLUMNS_LARGE
import com.intellij.ui.dsl.builder.panel
import com.redhat.devtools.lsp4ij.LanguageServerManager

/** Settings › Tools › HiveSync. Saving restarts the language server so it starts with the new settings. */
class HiveSyncConfigurable : BoundConfigurable("HiveSync") {
    private val state get() = HiveSyncSettingsService.getInstance().state

    override fun createPanel(): DialogPanel = panel {
        row("Server URL:") {
            textField().bindText(state::serverUrl).columns(COLUMNS_LARGE)
                .comment("Empty: \$HIVESYNC_SERVER, else http://127.0.0.1:8080. Sign in with `hivesync login` or run `hivesync agent`.")
        }
        row("Connection:") { comboBox(HiveSyncSettings.CONNECTIONS).bindItem({ state.connection }, { state.connection = it ?: "auto" }) }
        row("Project:") { textField().bindText(state::project).comment("Empty: the project whose repository is the working copy's remote.") }
        row("Threads poll (seconds):") { intTextField(1..3600).bindIntText(state::threadsPollSeconds) }
        row { checkBox("Show notifications").bindSelected(state::notifications) }
        row("Preview folder:") { textField().bindText(state::previewDirectory) }
        row("Preview platform:") { comboBox(HiveSyncSettings.PLATFORMS).bindItem({ state.previewPlatform }, { state.previewPlatform = it ?: "web" }) }
        row("hivesync-lsp:") {
            textField().bindText(state::serverPath).columns(COLUMNS_LARGE)
                .comment("Empty: the project's node_modules/.bin, then the PATH (npm install -g @hivesync/lsp).")
        }
        row("Node.js:") { textField().bindText(state::nodePath).comment("For a hivesync-lsp given as a .js file. Empty: node from the PATH.") }
    }

    override fun apply() {
        super.apply()
        val problems = HiveSyncSessionSupport.problems()
        if (problems.isNotEmpty()) throw ConfigurationException(problems.joinToString("\n"))
        for (project in ProjectManager.getInstance().openProjects) {
            LanguageServerManager.getInstance(project).stop(HIVESYNC_SERVER_ID)
            LanguageServerManager.getInstance(project).start(HIVESYNC_SERVER_ID)
        }
    }
}

/** Checks shared by the settings page and the server start. */
object HiveSyncSessionSupport {
    /** The current settings' problems, in words. */
    fun problems(): List<String> = HiveSyncSettingsService.getInstance().settings().problems()
}
