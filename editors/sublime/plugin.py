"""
HiveSync for Sublime Text 4, on the LSP package (sublimelsp/LSP 2.x, Python 3.8 plugin host): registers
hivesync-lsp as an LSP client and adds the HiveSync commands and a status bar item. The language server does the
work; this file asks the user for text, runs the server's commands and shows what comes back.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List, Optional

import sublime
import sublime_plugin
from LSP.plugin import AbstractPlugin
from LSP.plugin import LspWindowCommand
from LSP.plugin import filename_to_uri
from LSP.plugin import register_plugin
from LSP.plugin import unregister_plugin

from . import logic

#: The session's name (the LSP package's config name) and the settings file beside this plugin.
SESSION = 'hivesync'
SETTINGS = 'LSP-hivesync.sublime-settings'
STATUS_KEY = 'hivesync'

# When each window's status bar item was last asked for (window id → time.monotonic()).
_status_asked = {}  # type: Dict[int, float]


def _package() -> str:
    # The folder this package is installed in: LSP-hivesync from Package Control, whatever a manual install chose.
    return __name__.split('.')[0]


def _run(session: Any, window: Any, command: str, arguments: List[Any],
         then: Optional[Callable[[Any], None]] = None) -> None:
    """Runs one of hivesync-lsp's commands (with work-done progress) and reports its result or error on the main
    thread (the promise's continuations run on Sublime's worker thread)."""
    def done(result: Any) -> None:
        if isinstance(result, Exception):  # the LSP package resolves a failed request with its Error
            message = logic.error_message(result)
            sublime.set_timeout(lambda: window.status_message(message))
            print(message)
            return
        said = logic.result_message(command, result)
        if said:
            sublime.set_timeout(lambda: window.status_message(said))
        if then:
            sublime.set_timeout(lambda: then(result))

    session.execute_command({'command': command, 'arguments': arguments}, progress=True).then(done)


class HiveSyncPlugin(AbstractPlugin):
    """The LSP client: its configuration is LSP-hivesync.sublime-settings (command, selector, settings)."""

    @classmethod
    def name(cls) -> str:
        return SESSION

    @classmethod
    def configuration(cls) -> Any:
        return sublime.load_settings(SETTINGS), 'Packages/{}/{}'.format(_package(), SETTINGS)

    def on_pre_server_command(self, command: Dict[str, Any], done_callback: Callable[[], None]) -> bool:
        """The code actions Reply, Start a thread, Rename and Refactor arrive without their text: ask for it, then
        send the command with it."""
        prompt = logic.missing_text(command)
        session = self.weaksession()
        window = sublime.active_window()
        if prompt is None or session is None or window is None:
            return False

        def send(text: str) -> None:
            if not text.strip():
                done_callback()
                return
            full = logic.with_text(command, text)
            _run(session, window, full['command'], full['arguments'])
            done_callback()

        sublime.set_timeout(lambda: window.show_input_panel(prompt, '', send, None, done_callback))
        return True


class _HiveSyncCommand(LspWindowCommand):
    session_name = SESSION

    def run_server_command(self, command: str, arguments: List[Any],
                           then: Optional[Callable[[Any], None]] = None) -> None:
        session = self.session()
        if session is None:
            self.window.status_message('HiveSync: the language server is not running in this window')
            return
        _run(session, self.window, command, arguments, then)

    def active_file(self) -> Any:
        """The active view when it shows a saved file (the server knows files by their URI), else None."""
        view = self.window.active_view()
        if view is None or not view.file_name():
            self.window.status_message('HiveSync: open a file of the project first')
            return None
        return view


class _TextInput(sublime_plugin.TextInputHandler):
    def __init__(self, name: str, placeholder: str, initial: str = '') -> None:
        self._name = name
        self._placeholder = placeholder
        self._initial = initial

    def name(self) -> str:
        return self._name

    def placeholder(self) -> str:
        return self._placeholder

    def initial_text(self) -> str:
        return self._initial


class HivesyncSyncCommand(_HiveSyncCommand):
    """HiveSync: Sync — syncs the linked project's mirror."""

    def run(self) -> None:
        self.run_server_command(logic.SYNC, [])


class HivesyncDocumentCommand(_HiveSyncCommand):
    """HiveSync: Document This Function — the function at or above the caret; the edit arrives as
    workspace/applyEdit (one undo takes it back)."""

    def run(self) -> None:
        view = self.active_file()
        if view is None:
            return
        row, _ = view.rowcol(view.sel()[0].b)
        self.run_server_command(logic.DOCUMENT, [filename_to_uri(view.file_name()), row])


class HivesyncRenameCommand(_HiveSyncCommand):
    """HiveSync: Rename Across Project — the server's rename of the name at the caret."""

    def input(self, args: Dict[str, Any]) -> Any:
        if 'new_name' in args:
            return None
        view = self.window.active_view()
        word = view.substr(view.word(view.sel()[0].b)) if view else ''
        return _TextInput('new_name', 'New name', word)

    def run(self, new_name: str) -> None:
        view = self.active_file()
        if view is None:
            return
        point = view.sel()[0].b
        row, col = view.rowcol(point)
        at = logic.position(view.substr(view.line(point)), row, col)
        self.run_server_command(logic.RENAME, [filename_to_uri(view.file_name()), at, new_name])


class HivesyncSearchCommand(_HiveSyncCommand):
    """HiveSync: Search — the mirror's text (plain, /regex/i, path:lib/) into a quick panel."""

    def input(self, args: Dict[str, Any]) -> Any:
        return None if 'query' in args else _TextInput('query', 'Search the project (/regex/i, path:lib/)')

    def run(self, query: str) -> None:
        self.run_server_command(logic.SEARCH, [query], self.show)

    def show(self, results: List[Dict[str, Any]]) -> None:
        if not results:
            self.window.status_message('HiveSync: no match')
            return
        _pick(self.window, logic.search_items(results), results)


class HivesyncThreadsCommand(_HiveSyncCommand):
    """HiveSync: Threads — the project's threads (or this file's) into a quick panel."""

    def run(self, this_file: bool = False) -> None:
        args = []  # type: List[Any]
        if this_file:
            view = self.active_file()
            if view is None:
                return
            args = [filename_to_uri(view.file_name())]
        self.run_server_command(logic.THREADS, args, self.show)

    def show(self, threads: List[Dict[str, Any]]) -> None:
        if not threads:
            self.window.status_message('HiveSync: no thread')
            return
        _pick(self.window, logic.thread_items(threads), threads)


class HivesyncCommentCommand(_HiveSyncCommand):
    """HiveSync: Start a Thread — on the selected lines."""

    def input(self, args: Dict[str, Any]) -> Any:
        return None if 'body' in args else _TextInput('body', 'Comment on these lines (Markdown)')

    def run(self, body: str) -> None:
        view = self.active_file()
        if view is None:
            return
        region = view.sel()[0]
        first, _ = view.rowcol(region.begin())
        last, _ = view.rowcol(region.end())
        lines = logic.lines_range(first, last, view.substr(view.line(region.end())))
        self.run_server_command(logic.CREATE_THREAD, [filename_to_uri(view.file_name()), lines, body])


class HivesyncPreviewCommand(_HiveSyncCommand):
    """HiveSync: Send Preview — builds the app folder and sends it as a device preview."""

    def run(self) -> None:
        self.run_server_command(logic.SEND_PREVIEW, [])


class HivesyncStatusCommand(_HiveSyncCommand):
    """HiveSync: Status — and the status bar item of every view of the window."""

    def run(self, quiet: bool = False) -> None:
        _status_asked[self.window.id()] = time.monotonic()
        self.run_server_command(logic.STATUS, [], lambda status: self.show(status, quiet))

    def show(self, status: Dict[str, Any], quiet: bool) -> None:
        text = logic.status_text(status)
        for view in self.window.views():
            view.set_status(STATUS_KEY, text)
        if not quiet:
            self.window.status_message(logic.status_detail(status))


class HiveSyncStatusListener(sublime_plugin.EventListener):
    """Keeps the status bar item fresh as the user moves between views (at most every few seconds)."""

    def on_activated_async(self, view: Any) -> None:
        window = view.window()
        if window is None:
            return
        if logic.status_due(_status_asked.get(window.id()), time.monotonic()):
            window.run_command('hivesync_status', {'quiet': True})


def _pick(window: Any, items: List[List[str]], locations: List[Dict[str, Any]]) -> None:
    def chosen(index: int) -> None:
        if index >= 0:
            window.open_file(logic.encoded_position(locations[index]), sublime.ENCODED_POSITION)

    window.show_quick_panel(items, chosen)


def plugin_loaded() -> None:
    register_plugin(HiveSyncPlugin)


def plugin_unloaded() -> None:
    unregister_plugin(HiveSyncPlugin)
    for window in sublime.windows():
        for view in window.views():
            view.erase_status(STATUS_KEY)
