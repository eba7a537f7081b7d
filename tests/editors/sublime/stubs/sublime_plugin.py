"""A stand-in for Sublime Text's `sublime_plugin` module: command classes found by name, event listeners, input
handlers (answered from the window's scripted inputs)."""

import re

_commands = {}
_listeners = []
#: The input handlers shown (placeholder, initial text), for the tests.
shown_inputs = []


def _register(cls):
    # Sublime finds commands in plugin modules; the stand-ins' own base classes are not commands.
    if cls.__module__.split('.')[0] in ('sublime_plugin', 'LSP') or cls.__name__.startswith('_'):
        return
    name = re.sub(r'(?<!^)(?=[A-Z])', '_', re.sub(r'Command$', '', cls.__name__)).lower()
    _commands[name] = cls


class Command:
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _register(cls)

    def is_enabled(self, *args, **kwargs):
        return True

    def input(self, args):
        return None


class WindowCommand(Command):
    def __init__(self, window):
        self.window = window


class TextCommand(Command):
    def __init__(self, view):
        self.view = view


class EventListener:
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _listeners.append(cls())


class TextInputHandler:
    def name(self):
        return 'text'

    def placeholder(self):
        return ''

    def initial_text(self):
        return ''


def emit(event, *args):
    for listener in _listeners:
        handler = getattr(listener, event, None)
        if handler:
            handler(*args)


def run_window_command(window, name, args):
    """As Sublime: a disabled command does nothing; missing arguments are asked for through the command's input()."""
    cls = _commands.get(name)
    if cls is None:
        raise KeyError('no window command ' + name)
    command = cls(window)
    if not command.is_enabled():
        return False
    args = dict(args)
    handler = command.input(args)
    while handler is not None:
        shown_inputs.append((handler.placeholder(), handler.initial_text()))
        text = window.inputs.pop(0) if window.inputs else None
        if text is None:
            return False
        args[handler.name()] = text
        handler = command.input(args)
    command.run(**args)
    return True
