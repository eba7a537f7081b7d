package com.hivesync.jetbrains

import com.hivesync.jetbrains.core.HiveSyncSettings
import com.intellij.openapi.components.PersistentStateComponent
import com.intellij.openapi.components.Service
import com.intellij.openapi.components.State
import com.intellij.openapi.components.Storage
import com.intellij.openapi.components.service

/** The HiveSync settings, stored per IDE in hivesync.xml (no credentials: the CLI's login or the agent hold them). */
@Service(Service.Level.APP)
@State(name = "HiveSync", storages = [Storage("hivesync.xml")])
class HiveSyncSettingsService : PersistentStateComponent<HiveSyncSettingsService.State> {
    /** The stored form (mutable fields, as the XML serializer wants). */
    class State {
        var serverUrl: String = ""
        var connection: String = "auto"
        var project: String = ""
        var threadsPollSeconds: Int = 30
        var notifications: Boolean = true
        var previewDirectory: String = ""
        var previewPlatform: String = "web"
        var serverPath: String = ""
        var nodePath: String = ""
    }

    private var state = State()

    override fun getState(): State = state

    override fun loadState(loaded: State) {
        state = loaded
    }

    /** The settings as the plain-Kotlin core takes them. */
    fun settings(): HiveSyncSettings = HiveSyncSettings(
        serverUrl = state.serverUrl,
        connection = state.connection,
        project = state.project,
        threadsPollSeconds = state.threadsPollSeconds,
        notifications = state.notifications,
        previewDirectory = state.previewDirectory,
        previewPlatform = state.previewPlatform,
        serverPath = state.serverPath,
        nodePath = state.nodePath,
    )

    companion object {
        /** The application's instance. */
        fun getInstance(): HiveSyncSettingsService = service()
    }
}
