"""editors/sublime/logic.py under plain python3 (no Sublime), and the package's Python 3.8 syntax (Sublime Text 4
runs it in its 3.8 plugin host). Run: python3 -m unittest discover -s tests/editors/sublime -p 'test_*.py'."""

import ast
import glob
import importlib.util
import json
import os
import re
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
PLUGIN_DIR = os.path.join(ROOT, 'editors', 'sublime')

spec = importlib.util.spec_from_file_location('hivesync_logic', os.path.join(PLUGIN_DIR, 'logic.py'))
logic = importlib.util.module_from_spec(spec)
spec.loader.exec_module(logic)

# Sublime's JSON allows comments and trailing commas (and prettier writes the trailing commas).
_TOKENS = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/|,(?=\s*[}\]])', re.S)


def location(path, line, character=0):
    return {'uri': 'file:///work/express/' + path, 'path': path,
            'range': {'start': {'line': line, 'character': character}, 'end': {'line': line, 'character': 9}}}


class CodeActionText(unittest.TestCase):
    def test_asks_for_the_text_a_code_action_leaves_out(self):
        self.assertEqual(logic.missing_text({'command': 'hivesync.thread.reply', 'arguments': ['t1']}),
                         'HiveSync reply:')
        rng = {'start': {'line': 1, 'character': 0}, 'end': {'line': 2, 'character': 0}}
        self.assertEqual(logic.missing_text({'command': 'hivesync.thread.create', 'arguments': ['file:///a', rng]}),
                         'HiveSync comment:')
        self.assertEqual(logic.missing_text({'command': 'hivesync.ai.rename', 'arguments': ['u', {}]}),
                         'HiveSync rename to:')

    def test_leaves_complete_and_other_commands_to_the_server(self):
        self.assertIsNone(logic.missing_text({'command': 'hivesync.thread.reply', 'arguments': ['t1', 'text']}))
        self.assertIsNone(logic.missing_text({'command': 'hivesync.thread.resolve', 'arguments': ['t1']}))
        self.assertIsNone(logic.missing_text({'command': 'hivesync.ai.document', 'arguments': ['u', 3]}))
        self.assertIsNone(logic.missing_text({'command': 'other.command'}))

    def test_appends_the_text(self):
        self.assertEqual(logic.with_text({'command': 'hivesync.thread.reply', 'arguments': ['t1']}, 'ok'),
                         {'command': 'hivesync.thread.reply', 'arguments': ['t1', 'ok']})


class Positions(unittest.TestCase):
    def test_utf16_columns(self):
        self.assertEqual(logic.utf16_column('abc', 2), 2)
        # é is one UTF-16 unit, the emoji two: LSP counts UTF-16 code units, Sublime code points.
        self.assertEqual(logic.utf16_column('é😀x', 3), 4)

    def test_lines_range_covers_whole_lines(self):
        self.assertEqual(logic.lines_range(4, 6, 'var 😀 = 1;'), {
            'start': {'line': 4, 'character': 0}, 'end': {'line': 6, 'character': 11}})

    def test_uri_to_path(self):
        self.assertEqual(logic.uri_to_path('file:///home/ada/my%20app/a.js'), '/home/ada/my app/a.js')
        self.assertEqual(logic.uri_to_path('file:///C:/Users/ada/a.js'), 'C:/Users/ada/a.js')

    def test_encoded_position_is_one_based(self):
        self.assertEqual(logic.encoded_position(location('lib/response.js', 923, 4)),
                         '/work/express/lib/response.js:924:5')


class Panels(unittest.TestCase):
    def test_search_rows(self):
        hit = dict(location('lib/response.js', 923), text='  function sendfile(res, file) {')
        self.assertEqual(logic.search_items([hit]), [['lib/response.js:924', 'function sendfile(res, file) {']])

    def test_thread_rows(self):
        t = dict(location('lib/a.js', 58), text='Grace: Why? · 1 reply', state='resolved', thread_id='t')
        self.assertEqual(logic.thread_items([t]), [['Grace: Why? · 1 reply', 'lib/a.js:59 · resolved']])


class Status(unittest.TestCase):
    def test_status_bar_text(self):
        self.assertEqual(logic.status_text({'connected': False}), 'HiveSync: not connected')
        self.assertEqual(logic.status_text({'connected': True, 'project': None}), 'HiveSync: no linked project')
        self.assertEqual(logic.status_text({'connected': True, 'project': 'express', 'user': 'ada@x', 'route': 'agent'}),
                         'HiveSync: express · ada@x (agent)')
        self.assertEqual(logic.status_text({'connected': True, 'project': 'express', 'user': 'ada@x', 'route': 'direct'}),
                         'HiveSync: express · ada@x')

    def test_status_is_asked_again_only_after_a_while(self):
        self.assertTrue(logic.status_due(None, 5.0))
        self.assertFalse(logic.status_due(100.0, 100.0 + logic.STATUS_EVERY - 1))
        self.assertTrue(logic.status_due(100.0, 100.0 + logic.STATUS_EVERY))


class Messages(unittest.TestCase):
    def test_results(self):
        self.assertEqual(logic.result_message('hivesync.sync', {'commit': '0123456789abcdef'}),
                         'HiveSync: synced 0123456')
        self.assertEqual(logic.result_message('hivesync.ai.document', {'applied': True, 'files': ['a.js']}),
                         'HiveSync: applied the suggestion to 1 file')
        self.assertEqual(logic.result_message('hivesync.ai.rename', {'applied': False}),
                         'HiveSync: the suggestion was not applied')
        self.assertEqual(logic.result_message('hivesync.preview.send', {'code': 'ABC123', 'url': 'http://h/p/ABC123'}),
                         'HiveSync preview ABC123: http://h/p/ABC123')
        self.assertIsNone(logic.result_message('hivesync.search', []))
        self.assertEqual(logic.error_message(Exception('not signed in')), 'HiveSync: not signed in')


class Package(unittest.TestCase):
    def test_python_files_parse_as_python_3_8(self):
        files = glob.glob(os.path.join(PLUGIN_DIR, '*.py'))
        self.assertGreaterEqual(len(files), 2)
        for f in files:
            with open(f, encoding='utf-8') as src:
                ast.parse(src.read(), f, feature_version=(3, 8))

    def test_python_version_file_selects_the_3_8_plugin_host(self):
        with open(os.path.join(PLUGIN_DIR, '.python-version')) as f:
            self.assertEqual(f.read().strip(), '3.8')

    def test_command_palette_entries_name_the_plugin_commands(self):
        with open(os.path.join(PLUGIN_DIR, 'plugin.py'), encoding='utf-8') as f:
            tree = ast.parse(f.read())
        classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef) and n.name.endswith('Command')}
        with open(os.path.join(PLUGIN_DIR, 'Default.sublime-commands'), encoding='utf-8') as f:
            entries = json.loads(_TOKENS.sub(lambda m: m.group(0) if m.group(0).startswith('"') else '', f.read()))
        for e in entries:
            if e['command'] == 'edit_settings':
                continue
            camel = ''.join(part.capitalize() for part in e['command'].split('_')) + 'Command'
            self.assertIn(camel, classes, e['caption'])


class PluginImport(unittest.TestCase):
    def test_plugin_imports_under_this_python_and_defines_its_commands(self):
        import sys
        import types
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'stubs'))
        import sublime_plugin
        package = types.ModuleType('LSP-hivesync')
        package.__path__ = [PLUGIN_DIR]
        sys.modules['LSP-hivesync'] = package
        plugin = importlib.import_module('LSP-hivesync.plugin')
        self.assertEqual(plugin.HiveSyncPlugin.name(), 'hivesync')
        self.assertEqual(plugin.HiveSyncPlugin.configuration()[1], 'Packages/LSP-hivesync/LSP-hivesync.sublime-settings')
        for name in ('hivesync_sync', 'hivesync_document', 'hivesync_rename', 'hivesync_search', 'hivesync_threads',
                     'hivesync_comment', 'hivesync_preview', 'hivesync_status'):
            self.assertIn(name, sublime_plugin._commands)


if __name__ == '__main__':
    unittest.main()
