"""
editors/sublime's plugin under python3 with stand-in `sublime`, `sublime_plugin` and `LSP.plugin` modules (stubs/),
against the real hivesync-lsp (started from LSP-hivesync.sublime-settings' command) and a real HiveSync server.
tests/editors/sublime.test.ts sets up the server and the working copy and reads what this writes to
$HIVESYNC_TEST_OUT: each step's observations, or the step it stopped at and why.

Environment: HIVESYNC_SUBLIME_PLUGIN (editors/sublime), HIVESYNC_TEST_SERVER, HIVESYNC_TEST_WORKSPACE,
HIVESYNC_TEST_USER_DIR (Packages/User), HIVESYNC_TEST_OUT.
"""

import importlib
import json
import os
import sys
import traceback
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'stubs'))

import sublime  # noqa: E402  (the stand-in)
import sublime_plugin  # noqa: E402
import LSP.plugin as lsp  # noqa: E402

PLUGIN_DIR = os.environ['HIVESYNC_SUBLIME_PLUGIN']
WORKSPACE = os.environ['HIVESYNC_TEST_WORKSPACE']
OUT = os.environ['HIVESYNC_TEST_OUT']
STATUS_KEY = 'hivesync'

out = {'ok': False, 'step': 'load'}
session = None


def step(name):
    out['step'] = name
    write()


def write():
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1)


def wait_message(window, prefix, timeout=300.0):
    """The first status message starting with prefix (an error message fails the step with its text)."""
    def seen():
        for m in window.messages:
            if m.startswith(prefix):
                return True
            if m.startswith('HiveSync: ') and any(w in m for w in ('failed', 'cannot', 'not ', 'error')) \
                    and not m.startswith('HiveSync: no linked') and not m.startswith(prefix):
                raise AssertionError('the plugin said: ' + m)
        return False
    sublime.pump(seen, timeout, 'the status message "{}" (messages: {})'.format(prefix, window.messages))
    return next(m for m in window.messages if m.startswith(prefix))


def main():
    global session
    # Sublime imports a package's plugins as <package>.<module>: editors/sublime installed as LSP-hivesync.
    package = types.ModuleType('LSP-hivesync')
    package.__path__ = [PLUGIN_DIR]
    sys.modules['LSP-hivesync'] = package
    sublime.add_package('LSP-hivesync', PLUGIN_DIR)
    sublime.user_dir = os.environ['HIVESYNC_TEST_USER_DIR']
    plugin = importlib.import_module('LSP-hivesync.plugin')
    plugin.plugin_loaded()
    out['registered'] = sorted(lsp._plugins)
    out['commands'] = sorted(sublime_plugin._commands)

    step('start')
    window = sublime.Window([WORKSPACE])
    session = lsp.start_session(window, 'hivesync')
    out['server_info'] = session.initialize_result.get('serverInfo')

    step('diagnostic')
    app = window.open_file(os.path.join(WORKSPACE, 'lib/application.js'))
    app_uri = lsp.filename_to_uri(app.file_name())
    sublime.pump(lambda: any('Grace: Why does init' in d['message'] for d in session.diagnostics.get(app_uri, [])),
                 120, "Grace's thread as a diagnostic")
    out['diagnostics'] = [{'range': d['range'], 'message': d['message'], 'code': d.get('code')}
                          for d in session.diagnostics[app_uri]]
    thread_id = out['diagnostics'][0]['code']

    step('status')
    window.run_command('hivesync_status')
    sublime.pump(lambda: app.get_status(STATUS_KEY).startswith('HiveSync: express'), 30, 'the status bar item')
    out['status_bar'] = app.get_status(STATUS_KEY)
    out['status_message'] = wait_message(window, 'HiveSync: http')

    step('search')
    window.inputs = ['function sendfile(']
    window.quick_answers = [0]
    window.run_command('hivesync_search')
    sublime.pump(lambda: len(window.quick_panels) == 1, 120, 'the search quick panel')
    out['search_input'] = sublime_plugin.shown_inputs[-1]
    out['search_items'] = window.quick_panels[0]
    out['search_opened'] = window.opened[-1]

    step('threads')
    window.focus_view(app)
    window.quick_answers = [0]
    window.run_command('hivesync_threads', {'this_file': True})
    sublime.pump(lambda: len(window.quick_panels) == 2, 60, 'the threads quick panel')
    out['threads_items'] = window.quick_panels[1]
    out['threads_opened'] = window.opened[-1]

    step('reply')
    # What the LSP package does when the user picks a code action that carries a command: execute_command, which
    # goes through the plugin's on_pre_server_command first.
    line = out['diagnostics'][0]['range']['start']['line']
    actions = session.wait(session.request('textDocument/codeAction', {
        'textDocument': {'uri': app_uri},
        'range': {'start': {'line': line, 'character': 0}, 'end': {'line': line, 'character': 0}},
        'context': {'diagnostics': [d for d in session.diagnostics[app_uri] if d.get('code') == thread_id]},
    }), 'code actions')
    reply = next(a for a in actions if a['title'].startswith('HiveSync: Reply'))
    out['reply_action'] = reply['command']
    window.inputs = ['Because init runs for every app, even mounted ones.']
    session.execute_command(reply['command'], progress=True)
    out['reply_message'] = wait_message(window, 'HiveSync: reply sent', 60)
    out['reply_prompt'] = window.input_panels[-1]

    step('comment')
    view = window.open_file(os.path.join(WORKSPACE, 'lib/application.js:100:1'), sublime.ENCODED_POSITION)
    view.sel()[:] = [sublime.Region(view.text_point(99, 0), view.text_point(101, 4))]
    window.inputs = ['Sublime Text: is this still needed?']
    window.run_command('hivesync_comment')
    out['comment_message'] = wait_message(window, 'HiveSync: thread started', 60)

    step('document')
    response = window.open_file(os.path.join(WORKSPACE, 'lib/response.js:924:1'), sublime.ENCODED_POSITION)
    before = response.text
    window.run_command('hivesync_document')
    out['document_message'] = wait_message(window, 'HiveSync: applied the suggestion', 400)
    out['document'] = {'file': response.file_name(), 'changed': response.text != before, 'dirty': response.is_dirty(),
                       'text': response.text}

    step('sync')
    window.run_command('hivesync_sync')
    out['sync_message'] = wait_message(window, 'HiveSync: synced', 300)
    out['progress_tokens'] = sorted({p['token'] for p in session.progress})

    step('unload')
    plugin.plugin_unloaded()
    out['status_after_unload'] = app.get_status(STATUS_KEY)
    out['registered_after_unload'] = sorted(lsp._plugins)
    out['messages'] = window.messages
    out['ok'] = True


try:
    main()
except BaseException as e:
    out['error'] = '{}: {}'.format(type(e).__name__, e)
    out['traceback'] = traceback.format_exc()
    if session is not None:
        out['server_stderr'] = ''.join(session.stderr)[-4000:]
        out['server_logs'] = session.logs[-40:]
finally:
    if session is not None:
        session.stop()
    write()
