"""
A stand-in for the LSP package's plugin API (sublimelsp/LSP 2.x `LSP.plugin`): AbstractPlugin, register_plugin,
LspWindowCommand, filename_to_uri, and a Session that really runs the configured language server over stdio
(JSON-RPC with Content-Length framing) and answers its requests the way the LSP package does: workspace/configuration
from the "settings" (dotted keys), workspace/applyEdit into the views, work-done progress, message requests.
Only Sublime's side is stood in; the language server and HiveSync behind it are the real ones.
"""

import json
import os
import subprocess
import threading
import weakref
from pathlib import Path
from urllib.parse import unquote, urlparse

import sublime
import sublime_plugin

_plugins = {}


class Error(Exception):
    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code = code
        self.data = data


class Promise:
    """Resolved once; continuations run on the resolving thread (the LSP package runs them on its worker thread)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._done = False
        self._value = None
        self._callbacks = []

    def resolve(self, value):
        with self._lock:
            if self._done:
                return
            self._done, self._value = True, value
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(value)

    def then(self, f):
        nxt = Promise()

        def run(value):
            nxt.resolve(f(value))

        with self._lock:
            if not self._done:
                self._callbacks.append(run)
                return nxt
        run(self._value)
        return nxt


class AbstractPlugin:
    @classmethod
    def name(cls):
        raise NotImplementedError()

    @classmethod
    def configuration(cls):
        basename = 'LSP-{}.sublime-settings'.format(cls.name())
        return sublime.load_settings(basename), 'Packages/LSP-{}/{}'.format(cls.name(), basename)

    def __init__(self, weaksession):
        self.weaksession = weaksession

    def on_pre_server_command(self, command, done_callback):
        return False


def register_plugin(plugin, notify_listener=True):
    _plugins[plugin.name()] = plugin


def unregister_plugin(plugin):
    _plugins.pop(plugin.name(), None)


def filename_to_uri(file_name):
    return Path(file_name).as_uri()


def _dotted_to_nested(flat):
    nested = {}
    for key, value in flat.items():
        node = nested
        parts = key.split('.')
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return nested


class Session:
    """One running language server for a window, as the LSP package's Session."""

    def __init__(self, name, config, window, plugin_class):
        self.config = type('ClientConfig', (), {'name': name})()
        self.window = window
        self.settings = _dotted_to_nested(config.get('settings') or {})
        self.diagnostics = {}  # uri → diagnostics
        self.messages = []  # window/showMessage
        self.message_requests = []  # window/showMessageRequest
        self.progress = []  # $/progress
        self.logs = []
        self.stderr = []
        self.edits = []  # workspace/applyEdit params
        self._pending = {}
        self._next_id = 1
        self._lock = threading.Lock()
        self._versions = {}
        folder = window.folders()[0]
        env = dict(os.environ)
        env.update(config.get('env') or {})
        self.proc = subprocess.Popen(
            config['command'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=folder,
            env=env)
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self.plugin = plugin_class(weakref.ref(self))
        self.initialize_result = self.wait(self.request('initialize', {
            'processId': os.getpid(),
            'rootUri': filename_to_uri(folder),
            'workspaceFolders': [{'uri': filename_to_uri(folder), 'name': os.path.basename(folder)}],
            'initializationOptions': config.get('initializationOptions') or {},
            'capabilities': {
                'workspace': {'configuration': True, 'applyEdit': True, 'workspaceFolders': True,
                              'executeCommand': {}, 'workspaceEdit': {'documentChanges': True}},
                'window': {'workDoneProgress': True, 'showDocument': {'support': True},
                           'showMessage': {'messageActionItem': {'additionalPropertiesSupport': True}}},
                'textDocument': {'publishDiagnostics': {}, 'codeAction': {}, 'rename': {'prepareSupport': True}},
            },
        }), 'initialize')
        self.notify('initialized', {})
        for view in window.views():
            self.did_open(view)
        window.on_open.append(self.did_open)

    # JSON-RPC over stdio ------------------------------------------------------------------------------------------

    def _send(self, message):
        body = json.dumps(message).encode('utf-8')
        with self._lock:
            self.proc.stdin.write(b'Content-Length: ' + str(len(body)).encode('ascii') + b'\r\n\r\n' + body)
            self.proc.stdin.flush()

    def request(self, method, params):
        promise = Promise()
        with self._lock:
            request_id = self._next_id
            self._next_id += 1
            self._pending[request_id] = promise
        self._send({'jsonrpc': '2.0', 'id': request_id, 'method': method, 'params': params})
        return promise

    def notify(self, method, params):
        self._send({'jsonrpc': '2.0', 'method': method, 'params': params})

    def wait(self, promise, what, timeout=60.0):
        box = []
        promise.then(box.append)
        sublime.pump(lambda: bool(box), timeout, what)
        if isinstance(box[0], Error):
            raise box[0]
        return box[0]

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode('ascii').partition(':')
                if name.lower() == 'content-length':
                    length = int(value)
            message = json.loads(out.read(length).decode('utf-8'))
            try:
                self._dispatch(message)
            except Exception as e:  # a test stand-in: say what broke, keep reading
                self.logs.append('stand-in error: {!r}'.format(e))

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line.decode('utf-8', 'replace'))

    def _dispatch(self, message):
        if 'id' in message and 'method' not in message:
            with self._lock:
                promise = self._pending.pop(message['id'], None)
            if promise:
                error = message.get('error')
                promise.resolve(Error(error['code'], error['message'], error.get('data')) if error
                                else message.get('result'))
            return
        method, params = message['method'], message.get('params')
        if 'id' in message:
            self._server_request(message['id'], method, params)
        elif method == 'textDocument/publishDiagnostics':
            self.diagnostics[params['uri']] = params['diagnostics']
        elif method == 'window/showMessage':
            self.messages.append(params)
        elif method == 'window/logMessage':
            self.logs.append(params['message'])
        elif method == '$/progress':
            self.progress.append(params)

    def _respond(self, request_id, result):
        self._send({'jsonrpc': '2.0', 'id': request_id, 'result': result})

    def _server_request(self, request_id, method, params):
        if method == 'workspace/configuration':
            self._respond(request_id, [self.settings.get(item.get('section'), None) if item.get('section')
                                       else self.settings for item in params['items']])
        elif method == 'workspace/applyEdit':
            # The LSP package applies edits on the UI thread, then answers.
            def apply():
                self.edits.append(params)
                self._apply(params['edit'])
                self._respond(request_id, {'applied': True})
            sublime.set_timeout(apply)
        elif method == 'window/showMessageRequest':
            self.message_requests.append(params)
            self._respond(request_id, None)
        elif method in ('window/workDoneProgress/create', 'client/registerCapability'):
            self._respond(request_id, None)
        elif method == 'window/showDocument':
            self._respond(request_id, {'success': True})
        else:
            self._send({'jsonrpc': '2.0', 'id': request_id,
                        'error': {'code': -32601, 'message': 'not handled: ' + method}})

    # Documents -----------------------------------------------------------------------------------------------------

    def did_open(self, view):
        uri = filename_to_uri(view.file_name())
        self._versions[uri] = 1
        language = {'.js': 'javascript', '.ts': 'typescript', '.py': 'python'}.get(
            os.path.splitext(view.file_name())[1], 'plaintext')
        self.notify('textDocument/didOpen', {'textDocument': {
            'uri': uri, 'languageId': language, 'version': 1, 'text': view.text}})

    def _apply(self, edit):
        for change in edit.get('documentChanges') or []:
            if 'kind' in change:
                continue
            path = unquote(urlparse(change['textDocument']['uri']).path)
            view = self.window.open_file(path)
            for e in sorted(change['edits'], key=lambda e: (e['range']['start']['line'],
                                                            e['range']['start']['character']), reverse=True):
                start = _offset(view, e['range']['start'])
                end = _offset(view, e['range']['end'])
                view.replace(sublime.Region(start, end), e['newText'])
            uri = change['textDocument']['uri']
            self._versions[uri] = self._versions.get(uri, 1) + 1
            self.notify('textDocument/didChange', {'textDocument': {'uri': uri, 'version': self._versions[uri]},
                                                   'contentChanges': [{'text': view.text}]})

    # The API plugins use -------------------------------------------------------------------------------------------

    def execute_command(self, command, progress=False, view=None):
        """As the LSP package's: the plugin's on_pre_server_command first, then workspace/executeCommand."""
        task = Promise()
        if self.plugin.on_pre_server_command(command, lambda: task.resolve(None)):
            return task
        params = dict(command)
        if progress:
            params['workDoneToken'] = 'sublime-{}'.format(self._next_id)
        return self.request('workspace/executeCommand', params)

    def stop(self):
        try:
            self.wait(self.request('shutdown', None), 'shutdown', 10)
            self.notify('exit', None)
            self.proc.wait(10)
        except Exception:
            self.proc.kill()


def _offset(view, pos):
    line_start = view.text_point(pos['line'], 0)
    line = view.substr(view.line(line_start))
    units = 0
    for i, ch in enumerate(line):
        if units >= pos['character']:
            return line_start + i
        units += 2 if ord(ch) > 0xFFFF else 1
    return line_start + len(line)


_sessions = {}  # window id → [Session]


def start_session(window, name):
    """What the LSP package does for a registered plugin when a matching view opens: read its configuration (the
    package's settings file, then the user's overrides), expand the command and start the server."""
    plugin_class = _plugins[name]
    settings, base_path = plugin_class.configuration()
    base = sublime.decode_value(sublime.load_resource(base_path))
    config = dict(base)
    config.update(settings.to_dict())
    flat = dict(base.get('settings') or {})
    flat.update(settings.get('settings') or {})
    config['settings'] = flat
    session = Session(name, config, window, plugin_class)
    _sessions.setdefault(window.id(), []).append(session)
    return session


class LspWindowCommand(sublime_plugin.WindowCommand):
    capability = ''
    session_name = ''

    def is_enabled(self):
        return self.session() is not None

    def session(self):
        for session in _sessions.get(self.window.id(), []):
            if self.session_name and session.config.name != self.session_name:
                continue
            return session
        return None
