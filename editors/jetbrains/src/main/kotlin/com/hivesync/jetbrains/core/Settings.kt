package com.hivesync.jetbrains.core

/**
 * The plugin's settings (Settings › Tools › HiveSync). Credentials are not among them: the language server uses the
 * CLI's login (`hivesync login`) or the local agent.
 */
data class HiveSyncSettings(
    /** The HiveSync server; blank: $HIVESYNC_SERVER, else http://127.0.0.1:8080. */
    val serverUrl: String = "",
    /** "auto": through the local agent while one runs for this server (Proxy Mode); "direct": never. */
    val connection: String = "auto",
    /** The project (name or id) when none of yours has the working copy's git remote; blank: by the remote. */
    val project: String = "",
    /** Seconds between reads of the threads shown as diagnostics (at least 1). */
    val threadsPollSeconds: Int = 30,
    /** Show notifications (with their actions). */
    val notifications: Boolean = true,
    /** The app folder "Send Preview" builds, relative to the working copy. */
    val previewDirectory: String = "",
    /** "web", "ios" or "android". */
    val previewPlatform: String = "web",
    /** The hivesync-lsp command; blank: found in the project's node_modules/.bin, then on the PATH. */
    val serverPath: String = "",
    /** The node executable for a server given as a .js file; blank: "node" from the PATH. */
    val nodePath: String = "",
) {
    /** Every problem with these settings, in words (empty: fine). */
    fun problems(): List<String> = buildList {
        if (serverUrl.isNotBlank() && !Regex("^https?://[^\\s/]+").containsMatchIn(serverUrl.trim()))
            add("Server URL must start with http:// or https://: $serverUrl")
        if (connection !in CONNECTIONS) add("Connection must be one of ${CONNECTIONS.joinToString()}: $connection")
        if (threadsPollSeconds < 1) add("Threads poll interval must be at least 1 second: $threadsPollSeconds")
        if (previewPlatform !in PLATFORMS) add("Preview platform must be one of ${PLATFORMS.joinToString()}: $previewPlatform")
    }

    /**
     * The server's `hivesync` settings (its initializationOptions, and the `hivesync` section of
     * workspace/configuration), with the names apps/lsp/src/protocol.ts reads. Blank values are left out so the
     * server's own defaults apply.
     */
    fun toConfiguration(): Map<String, Any> = buildMap {
        if (serverUrl.isNotBlank()) put("serverUrl", serverUrl.trim())
        put("connection", connection)
        if (project.isNotBlank()) put("project", project.trim())
        put("threadsPollSeconds", threadsPollSeconds.coerceAtLeast(1))
        put("notifications", notifications)
        if (previewDirectory.isNotBlank()) put("previewDirectory", previewDirectory.trim())
        put("previewPlatform", previewPlatform)
        // LSP4IJ sends a code action's command to the server as it is, with no way to ask for its text: the server
        // leaves out the actions that need one (Reply, Start a thread, Rename, Refactor); Tools › HiveSync asks instead.
        put("textActions", false)
    }

    /** What workspace/configuration answers for `section` ("hivesync", or none for everything); null: unknown. */
    fun configurationSection(section: String?): Any? = when (section) {
        null, "" -> mapOf("hivesync" to toConfiguration())
        "hivesync" -> toConfiguration()
        else -> section.removePrefix("hivesync.").let { key -> if (section.startsWith("hivesync.")) toConfiguration()[key] else null }
    }

    companion object {
        val CONNECTIONS = listOf("auto", "direct")
        val PLATFORMS = listOf("web", "ios", "android")
    }
}
