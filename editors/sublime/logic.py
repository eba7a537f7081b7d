"""
HiveSync for Sublime Text: what the plugin decides, in plain Python (no `sublime` import), so it is tested under any
python3. The command names are hivesync-lsp's (apps/lsp/src/protocol.ts, docs/editors.md).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional
from urllib.parse import unquote, urlparse

# workspace/executeCommand names of hivesync-lsp.
SYNC = 'hivesync.sync'
SEARCH = 'hivesync.search'
THREADS = 'hivesync.threads'
STATUS = 'hivesync.status'
CREATE_THREAD = 'hivesync.thread.create'
REPLY = 'hivesync.thread.reply'
RESOLVE = 'hivesync.thread.resolve'
OPEN_IN_BROWSER = 'hivesync.thread.open'
DOCUMENT = 'hivesync.ai.document'
RENAME = 'hivesync.ai.rename'
REFACTOR = 'hivesync.ai.refactor'
SEND_PREVIEW = 'hivesync.preview.send'

#: The commands this plugin runs (each must be one the server advertises).
COMMANDS = [SYNC, SEARCH, THREADS, STATUS, CREATE_THREAD, REPLY, RESOLVE, OPEN_IN_BROWSER, DOCUMENT, RENAME,
            REFACTOR, SEND_PREVIEW]

# The code actions that arrive without their text (the server leaves it to the editor to ask): how many arguments
# they carry, and what to ask.
_ASK = {
    REPLY: (1, 'HiveSync reply:'),
    CREATE_THREAD: (2, 'HiveSync comment:'),
    RENAME: (2, 'HiveSync rename to:'),
    REFACTOR: (2, 'HiveSync refactor (what to do):'),
}

#: Seconds between status bar refreshes while the user moves between views.
STATUS_EVERY = 15.0


def missing_text(command: Dict[str, Any]) -> Optional[str]:
    """The prompt for a command that still lacks its text argument (a Reply, Start a thread, Rename or Refactor code
    action), or None when it can go to the server as it is."""
    ask = _ASK.get(command.get('command', ''))
    args = command.get('arguments') or []
    if ask is None or len(args) != ask[0]:
        return None
    return ask[1]


def with_text(command: Dict[str, Any], text: str) -> Dict[str, Any]:
    """The command with the text the user typed appended to its arguments."""
    return {'command': command['command'], 'arguments': list(command.get('arguments') or []) + [text]}


def uri_to_path(uri: str) -> str:
    """A file: URI's local path (Windows drive letters included)."""
    parsed = urlparse(uri)
    path = unquote(parsed.path)
    if len(path) > 2 and path[0] == '/' and path[2] == ':':
        path = path[1:]
    return path


def utf16_column(line: str, column: int) -> int:
    """An LSP character offset (UTF-16 code units, the protocol's default) of the code point `column` of `line`."""
    return len(line[:column].encode('utf-16-le')) // 2


def position(line_text: str, row: int, column: int) -> Dict[str, int]:
    """An LSP Position from Sublime's (row, column) on a line with the given text."""
    return {'line': row, 'character': utf16_column(line_text, column)}


def lines_range(first_row: int, last_row: int, last_line_text: str) -> Dict[str, Any]:
    """The LSP Range of whole lines first_row..last_row (0-based), which a thread is anchored on."""
    return {
        'start': {'line': first_row, 'character': 0},
        'end': {'line': last_row, 'character': utf16_column(last_line_text, len(last_line_text))},
    }


def encoded_position(location: Dict[str, Any]) -> str:
    """`path:line:column` (1-based) of a location, for Sublime's open_file with ENCODED_POSITION."""
    start = location['range']['start']
    return '{}:{}:{}'.format(uri_to_path(location['uri']), start['line'] + 1, start['character'] + 1)


def search_items(results: List[Dict[str, Any]]) -> List[List[str]]:
    """Quick panel rows for hivesync.search's locations: `path:line` over the line's text."""
    return [['{}:{}'.format(r['path'], r['range']['start']['line'] + 1), r['text'].strip()] for r in results]


def thread_items(threads: List[Dict[str, Any]]) -> List[List[str]]:
    """Quick panel rows for hivesync.threads: the thread's text over `path:line` (and resolved)."""
    rows = []
    for t in threads:
        where = '{}:{}'.format(t['path'], t['range']['start']['line'] + 1)
        rows.append([t['text'], where + (' · resolved' if t.get('state') == 'resolved' else '')])
    return rows


def status_text(status: Dict[str, Any]) -> str:
    """The status bar item: the linked project and user, or why there is none."""
    if not status.get('connected'):
        return 'HiveSync: not connected'
    if not status.get('project'):
        return 'HiveSync: no linked project'
    via = ' (agent)' if status.get('route') == 'agent' else ''
    return 'HiveSync: {} · {}{}'.format(status['project'], status.get('user') or '?', via)


def status_detail(status: Dict[str, Any]) -> str:
    """The longer status line of "HiveSync: Status"."""
    return 'HiveSync: {}, {} as {}, project {} ({})'.format(
        status.get('server'), 'connected' if status.get('connected') else 'not connected', status.get('user') or '-',
        status.get('project') or '-', status.get('route') or '-')


def status_due(last: Optional[float], now: float) -> bool:
    """Whether the status bar should be asked for again (never asked, or STATUS_EVERY seconds ago)."""
    return last is None or now - last >= STATUS_EVERY


def result_message(command: str, result: Any) -> Optional[str]:
    """What to say in the status bar once a command finished (None: nothing to say)."""
    if command == SYNC and isinstance(result, dict):
        commit = result.get('commit') or ''
        return 'HiveSync: synced {}'.format(commit[:7] or 'the project')
    if command in (DOCUMENT, RENAME, REFACTOR) and isinstance(result, dict):
        files = result.get('files') or []
        if result.get('applied'):
            return 'HiveSync: applied the suggestion to {} file{}'.format(len(files), '' if len(files) == 1 else 's')
        return 'HiveSync: the suggestion was not applied'
    if command == CREATE_THREAD:
        return 'HiveSync: thread started'
    if command == REPLY:
        return 'HiveSync: reply sent'
    if command == RESOLVE:
        return 'HiveSync: thread resolved'
    if command == SEND_PREVIEW and isinstance(result, dict):
        return 'HiveSync preview {}: {}'.format(result.get('code'), result.get('url'))
    return None


def error_message(error: Any) -> str:
    """A failed command's message (the server's own words)."""
    return 'HiveSync: {}'.format(str(error) or type(error).__name__)
