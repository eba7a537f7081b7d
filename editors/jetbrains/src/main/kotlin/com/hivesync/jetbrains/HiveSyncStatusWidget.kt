package com.hivesync.jetbrains

import com.hivesync.jetbrains.core.Commands
import com.hivesync.jetbrains.core.Results
import com.hivesync.jetbrains.core.Status
import com.intellij.openapi.project.Project
import com.intellij.openapi.wm.StatusBar
import com.intellij.openapi.wm.StatusBarWidget
import com.intellij.openapi.wm.StatusBarWidgetFactory
import com.intellij.openapi.wm.WindowManager
import com.intellij.util.Consumer
import java.awt.Component
import java.awt.event.MouseEvent

/** The status bar item: `HiveSync: <project> · <user>`; a click asks the server again. */
class HiveSyncStatusWidget(private val project: Project) : StatusBarWidget, StatusBarWidget.TextPresentation {
    private var statusBar: StatusBar? = null
    private var text = "HiveSync"

    override fun ID(): String = ID

    override fun install(statusBar: StatusBar) {
        this.statusBar = statusBar
        refresh()
    }

    override fun getPresentation(): StatusBarWidget.WidgetPresentation = this

    override fun getText(): String = text

    override fun getAlignment(): Float = Component.CENTER_ALIGNMENT

    override fun getTooltipText(): String = "HiveSync: click to refresh"

    override fun getClickConsumer(): Consumer<MouseEvent> = Consumer { refresh() }

    private fun refresh() {
        runHiveSyncCommand(project, Commands.STATUS, emptyList()) { json -> json?.let { update(Results.status(it)) } }
    }

    internal fun update(status: Status) {
        text = status.text()
        statusBar?.updateWidget(ID)
    }

    override fun dispose() {
        statusBar = null
    }

    companion object {
        const val ID = "HiveSyncStatus"

        /** Shows a fresh status in the project's widget and the status bar's message. */
        fun show(project: Project, status: Status) {
            val bar = WindowManager.getInstance().getStatusBar(project) ?: return
            (bar.getWidget(ID) as? HiveSyncStatusWidget)?.update(status)
            bar.info = "HiveSync: ${status.server}, ${if (status.connected) "connected" else "not connected"} as " +
                "${status.user ?: "-"}, project ${status.project ?: "-"} (${status.route ?: "-"})"
        }
    }
}

/** Registers the widget (plugin.xml `statusBarWidgetFactory`). */
class HiveSyncStatusWidgetFactory : StatusBarWidgetFactory {
    override fun getId(): String = HiveSyncStatusWidget.ID

    override fun getDisplayName(): String = "HiveSync"

    override fun createWidget(project: Project): StatusBarWidget = HiveSyncStatusWidget(project)
}
