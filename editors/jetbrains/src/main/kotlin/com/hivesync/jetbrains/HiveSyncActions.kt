package com.hivesync.jetbrains

import com.google.gson.Gson
import com.hivesync.jetbrains.core.Commands
import com.hivesync.jetbrains.core.Location
import com.hivesync.jetbrains.core.Positions
import com.hivesync.jetbrains.core.Results
import com.intellij.notification.NotificationGroupManager
import com.intellij.notification.NotificationType
import com.intellij.openapi.actionSystem.ActionUpdateThread
import com.intellij.openapi.actionSystem.AnAction
import com.intellij.openapi.actionSystem.AnActionEvent
import com.intellij.openapi.actionSystem.CommonDataKeys
import com.intellij.openapi.application.ApplicationManager
import com.intellij.openapi.editor.Editor
import com.intellij.openapi.fileEditor.OpenFileDescriptor
import com.intellij.openapi.project.Project
import com.intellij.openapi.ui.Messages
import com.intellij.openapi.ui.popup.JBPopupFactory
import com.intellij.openapi.vfs.VirtualFile
import com.intellij.openapi.vfs.VirtualFileManager
import com.intellij.openapi.wm.WindowManager
import com.redhat.devtools.lsp4ij.LSPIJUtils
import com.redhat.devtools.lsp4ij.LanguageServerManager
import com.redhat.devtools.lsp4ij.commands.CommandExecutor
import com.redhat.devtools.lsp4ij.commands.LSPCommandContext
import org.eclipse.lsp4j.Command

/**
 * Runs one of hivesync-lsp's commands through LSP4IJ and hands its result over as JSON text (null: no result). The
 * server's item is passed as the preferred one, so LSP4IJ sends the command to it (and shows its error itself: it
 * completes the response with the error as the result).
 */
fun runHiveSyncCommand(project: Project, command: String, arguments: List<Any?>, then: (String?) -> Unit = {}) {
    LanguageServerManager.getInstance(project).getLanguageServer(HIVESYNC_SERVER_ID).thenAccept { server ->
        if (server == null) {
            notify(project, "HiveSync: the language server is not running for this project", NotificationType.WARNING)
            return@thenAccept
        }
        val context = LSPCommandContext(Command(command, command, arguments), project)
        context.setPreferredLanguageServer(server)
        val response = CommandExecutor.executeCommand(context).response() ?: return@thenAccept
        response.whenComplete { result, error ->
            ApplicationManager.getApplication().invokeLater {
                if (error != null || result is Throwable) {
                    val failure = error ?: result as Throwable
                    WindowManager.getInstance().getStatusBar(project)?.info = "HiveSync: ${failure.cause?.message ?: failure.message}"
                    return@invokeLater
                }
                val json = result?.let { Gson().toJson(it) }
                Results.message(command, json)?.let { WindowManager.getInstance().getStatusBar(project)?.info = it }
                then(json)
            }
        }
    }
}

private fun notify(project: Project, text: String, type: NotificationType) {
    NotificationGroupManager.getInstance().getNotificationGroup("HiveSync").createNotification(text, type).notify(project)
}

/** A HiveSync action: enabled in a project; [file] is the editor's file when there is one. */
abstract class HiveSyncAction : AnAction() {
    override fun getActionUpdateThread() = ActionUpdateThread.BGT

    override fun update(e: AnActionEvent) {
        e.presentation.isEnabled = e.project != null && (!needsEditor || e.getData(CommonDataKeys.EDITOR) != null)
    }

    /** Whether the action works on the caret of an editor. */
    open val needsEditor = false

    protected fun file(e: AnActionEvent): VirtualFile? = e.getData(CommonDataKeys.VIRTUAL_FILE)

    protected fun uri(file: VirtualFile): String = LSPIJUtils.toUriAsString(file)

    /** The LSP range of the whole lines the selection touches (the caret's line when nothing is selected). */
    protected fun selectedLines(editor: Editor): Map<String, Any> {
        val document = editor.document
        val first = document.getLineNumber(editor.selectionModel.selectionStart)
        val last = document.getLineNumber(editor.selectionModel.selectionEnd)
        return Positions.lines(document.charsSequence, first, last)
    }
}

/** Tools › HiveSync › Sync. */
class SyncAction : HiveSyncAction() {
    override fun actionPerformed(e: AnActionEvent) = runHiveSyncCommand(e.project!!, Commands.SYNC, emptyList())
}

/** Tools › HiveSync › Document This Function (the edit arrives as workspace/applyEdit, one undo). */
class DocumentAction : HiveSyncAction() {
    override val needsEditor = true

    override fun actionPerformed(e: AnActionEvent) {
        val editor = e.getData(CommonDataKeys.EDITOR) ?: return
        val file = file(e) ?: return
        val line = editor.caretModel.logicalPosition.line
        runHiveSyncCommand(e.project!!, Commands.DOCUMENT, listOf(uri(file), line))
    }
}

/** Tools › HiveSync › Rename Across Project. */
class RenameAction : HiveSyncAction() {
    override val needsEditor = true

    override fun actionPerformed(e: AnActionEvent) {
        val project = e.project!!
        val editor = e.getData(CommonDataKeys.EDITOR) ?: return
        val file = file(e) ?: return
        val word = editor.selectionModel.selectedText ?: ""
        val newName = Messages.showInputDialog(project, "New name:", "HiveSync: Rename Across Project", null, word, null) ?: return
        val (line, character) = Positions.at(editor.document.charsSequence, editor.caretModel.offset)
        runHiveSyncCommand(project, Commands.RENAME, listOf(uri(file), mapOf("line" to line, "character" to character), newName))
    }
}

/** An action on the lines the selection touches that first asks the user for a text (a comment, instructions). */
abstract class SelectedLinesAction(
    private val command: String,
    private val prompt: String,
    private val title: String,
) : HiveSyncAction() {
    override val needsEditor = true

    override fun actionPerformed(e: AnActionEvent) {
        val project = e.project!!
        val editor = e.getData(CommonDataKeys.EDITOR) ?: return
        val file = file(e) ?: return
        val text = Messages.showMultilineInputDialog(project, prompt, title, "", null, null)
        if (text.isNullOrBlank()) return
        runHiveSyncCommand(project, command, listOf(uri(file), selectedLines(editor), text))
    }
}

/**
 * Tools › HiveSync › Refactor Selection: the selected lines changed as the user describes (language-model providers
 * only; the server says so otherwise). The edit arrives as workspace/applyEdit, one undo.
 */
class RefactorAction : SelectedLinesAction(Commands.REFACTOR, "Refactor how?", "HiveSync: Refactor Selection")

/** Tools › HiveSync › Start a Thread on the selected lines. */
class CommentAction : SelectedLinesAction(Commands.CREATE_THREAD, "Comment (Markdown):", "HiveSync: Start a Thread")

/** Tools › HiveSync › Reply to Thread: the thread on the caret's line (the Reply code action needs its text). */
class ReplyAction : HiveSyncAction() {
    override val needsEditor = true

    override fun actionPerformed(e: AnActionEvent) {
        val project = e.project!!
        val editor = e.getData(CommonDataKeys.EDITOR) ?: return
        val file = file(e) ?: return
        val line = editor.caretModel.logicalPosition.line
        runHiveSyncCommand(project, Commands.THREADS, listOf(uri(file))) { json ->
            val thread = json?.let { Results.threadIds(it) }?.firstOrNull { (location, _) -> location.line == line }
            if (thread == null) {
                WindowManager.getInstance().getStatusBar(project)?.info = "HiveSync: no thread on this line"
                return@runHiveSyncCommand
            }
            val body = Messages.showMultilineInputDialog(project, thread.first.text, "HiveSync: Reply", "", null, null)
            if (!body.isNullOrBlank()) runHiveSyncCommand(project, Commands.REPLY, listOf(thread.second, body))
        }
    }
}

/** Tools › HiveSync › Search: the mirror's text, in a popup list; the picked match opens at its line. */
class SearchAction : HiveSyncAction() {
    override fun actionPerformed(e: AnActionEvent) {
        val project = e.project!!
        val query = Messages.showInputDialog(project, "Search (/regex/i, path:lib/):", "HiveSync: Search", null) ?: return
        runHiveSyncCommand(project, Commands.SEARCH, listOf(query)) { json -> json?.let { pick(project, "HiveSync: $query", Results.locations(it)) } }
    }
}

/** Tools › HiveSync › Threads: the project's threads, in a popup list. */
class ThreadsAction : HiveSyncAction() {
    override fun actionPerformed(e: AnActionEvent) {
        val project = e.project!!
        runHiveSyncCommand(project, Commands.THREADS, emptyList()) { json -> json?.let { pick(project, "HiveSync threads", Results.locations(it)) } }
    }
}

/** Tools › HiveSync › Send Preview. */
class PreviewAction : HiveSyncAction() {
    override fun actionPerformed(e: AnActionEvent) = runHiveSyncCommand(e.project!!, Commands.SEND_PREVIEW, emptyList())
}

/** Tools › HiveSync › Status. */
class StatusAction : HiveSyncAction() {
    override fun actionPerformed(e: AnActionEvent) {
        val project = e.project!!
        runHiveSyncCommand(project, Commands.STATUS, emptyList()) { json ->
            json?.let { HiveSyncStatusWidget.show(project, Results.status(it)) }
        }
    }
}

private fun pick(project: Project, title: String, locations: List<Location>) {
    if (locations.isEmpty()) {
        WindowManager.getInstance().getStatusBar(project)?.info = "$title: nothing found"
        return
    }
    JBPopupFactory.getInstance()
        .createPopupChooserBuilder(locations)
        .setTitle(title)
        .setRenderer(com.intellij.ui.SimpleListCellRenderer.create("") { "${it.label()}  ${it.text}" })
        .setItemChosenCallback { open(project, it) }
        .createPopup()
        .showCenteredInCurrentWindow(project)
}

private fun open(project: Project, location: Location) {
    val file = VirtualFileManager.getInstance().findFileByUrl(location.uri) ?: return
    OpenFileDescriptor(project, file, location.line, location.character).navigate(true)
}
