"""
A stand-in for Sublime Text's `sublime` module, for tests/editors/sublime: the calls editors/sublime makes, over
plain Python objects (views are strings, panels answer from scripted queues). Callbacks given to set_timeout run on
the "main thread" when the test pumps them, as Sublime runs them on its UI thread.
"""

import json
import os
import queue
import re
import time

ENCODED_POSITION = 1

_main = queue.Queue()
_windows = []
_packages = {}  # package name → directory
user_dir = None  # Packages/User


def set_timeout(callback, delay=0):
    _main.put(callback)


def set_timeout_async(callback, delay=0):
    _main.put(callback)


def pump(until, timeout=60.0, what='a condition'):
    """Runs main-thread callbacks until `until()` holds; raises after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            while True:
                _main.get_nowait()()
        except queue.Empty:
            pass
        if until():
            return
        if time.monotonic() > deadline:
            raise TimeoutError('timed out waiting for ' + what)
        time.sleep(0.02)


def add_package(name, directory):
    _packages[name] = directory


def _resource_file(path):
    parts = path.split('/', 2)
    if len(parts) != 3 or parts[0] != 'Packages' or parts[1] not in _packages:
        raise IOError('resource not found: ' + path)
    return os.path.join(_packages[parts[1]], parts[2])


def load_resource(path):
    with open(_resource_file(path), encoding='utf-8') as f:
        return f.read()


_TOKENS = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/|,(?=\s*[}\]])', re.S)


def decode_value(text):
    """Sublime's JSON: comments and trailing commas allowed."""
    return json.loads(_TOKENS.sub(lambda m: m.group(0) if m.group(0).startswith('"') else '', text))


class Settings:
    def __init__(self, values=None):
        self._values = dict(values or {})

    def get(self, key, default=None):
        return self._values.get(key, default)

    def set(self, key, value):
        self._values[key] = value

    def has(self, key):
        return key in self._values

    def to_dict(self):
        return dict(self._values)


def load_settings(basename):
    """The settings file `basename` of every package, then Packages/User's, merged key by key (as Sublime does)."""
    merged = {}
    for directory in list(_packages.values()) + ([user_dir] if user_dir else []):
        path = os.path.join(directory, basename)
        if os.path.exists(path):
            with open(path, encoding='utf-8') as f:
                merged.update(decode_value(f.read()))
    return Settings(merged)


class Region:
    def __init__(self, a, b=None):
        self.a = a
        self.b = a if b is None else b

    def begin(self):
        return min(self.a, self.b)

    def end(self):
        return max(self.a, self.b)

    def __repr__(self):
        return 'Region({}, {})'.format(self.a, self.b)


class View:
    _next_id = 1

    def __init__(self, window, path):
        self._window = window
        self._path = path
        with open(path, encoding='utf-8') as f:
            self.text = f.read()
        self._sel = [Region(0)]
        self._status = {}
        self._settings = Settings()
        self.dirty = False
        self._id = View._next_id
        View._next_id += 1

    def id(self):
        return self._id

    def window(self):
        return self._window

    def file_name(self):
        return self._path

    def settings(self):
        return self._settings

    def size(self):
        return len(self.text)

    def sel(self):
        return self._sel

    def substr(self, x):
        if isinstance(x, Region):
            return self.text[x.begin():x.end()]
        return self.text[x:x + 1]

    def rowcol(self, point):
        before = self.text[:point]
        row = before.count('\n')
        return row, point - (before.rfind('\n') + 1)

    def text_point(self, row, col):
        lines = self.text.split('\n')
        return sum(len(line) + 1 for line in lines[:row]) + col

    def line(self, x):
        point = x.a if isinstance(x, Region) else x
        start = self.text.rfind('\n', 0, point) + 1
        end = self.text.find('\n', point)
        return Region(start, len(self.text) if end < 0 else end)

    def word(self, point):
        start = point
        while start > 0 and re.match(r'\w', self.text[start - 1]):
            start -= 1
        end = point
        while end < len(self.text) and re.match(r'\w', self.text[end]):
            end += 1
        return Region(start, end)

    def replace(self, region, text):
        self.text = self.text[:region.begin()] + text + self.text[region.end():]
        self.dirty = True

    def is_dirty(self):
        return self.dirty

    def set_status(self, key, value):
        self._status[key] = value

    def get_status(self, key):
        return self._status.get(key, '')

    def erase_status(self, key):
        self._status.pop(key, None)


class Window:
    _next_id = 1

    def __init__(self, folders):
        self._folders = list(folders)
        self._views = []
        self._active = None
        self.opened = []  # what open_file was asked for
        self.messages = []  # status_message texts
        self.quick_panels = []  # the items of each quick panel shown
        self.quick_answers = []  # the index to pick in the next quick panels
        self.input_panels = []  # the caption of each input panel shown
        self.inputs = []  # the text to type into the next input panels (None: cancel)
        self.on_open = []  # callbacks(view) when a file is first opened (the LSP package attaching)
        self._id = Window._next_id
        Window._next_id += 1
        _windows.append(self)

    def id(self):
        return self._id

    def folders(self):
        return self._folders

    def views(self):
        return list(self._views)

    def active_view(self):
        return self._active

    def open_file(self, fname, flags=0):
        self.opened.append(fname)
        path, row, col = fname, None, None
        if flags & ENCODED_POSITION:
            m = re.match(r'^(.*?)(?::(\d+))?(?::(\d+))?$', fname)
            path, row, col = m.group(1), m.group(2), m.group(3)
        view = next((v for v in self._views if v.file_name() == path), None)
        if view is None:
            view = View(self, path)
            self._views.append(view)
            for callback in self.on_open:
                callback(view)
        if row is not None:
            point = view.text_point(int(row) - 1, int(col or 1) - 1)
            view.sel()[:] = [Region(point)]
        self.focus_view(view)
        return view

    def focus_view(self, view):
        self._active = view
        import sublime_plugin
        sublime_plugin.emit('on_activated_async', view)

    def status_message(self, text):
        self.messages.append(text)

    def show_quick_panel(self, items, on_select, flags=0, selected_index=-1, on_highlight=None, placeholder=None):
        self.quick_panels.append(items)
        on_select(self.quick_answers.pop(0) if self.quick_answers else -1)

    def show_input_panel(self, caption, initial_text, on_done, on_change, on_cancel):
        self.input_panels.append(caption)
        text = self.inputs.pop(0) if self.inputs else None
        if text is None:
            if on_cancel:
                on_cancel()
        else:
            on_done(text)

    def run_command(self, name, args=None):
        import sublime_plugin
        sublime_plugin.run_window_command(self, name, args or {})


def active_window():
    return _windows[-1] if _windows else None


def windows():
    return list(_windows)
