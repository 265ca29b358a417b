"""The binding ids `cockpit check` accepts in `keymap:` are exactly the ids
the UI's widgets and panels declare (the check imports no Textual, so it
keeps its own list: this test stops the two from drifting apart)."""

import importlib
import inspect
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode

import cockpit.panels
import cockpit.ui
from cockpit.keymap_ids import BINDING_IDS


def declared_binding_ids() -> set[str]:
    ids = set()
    for package in (cockpit.ui, cockpit.panels):
        for found in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(found.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, DOMNode) and cls.__module__ == module.__name__:
                    ids.update(b.id for b in Binding.make_bindings(cls.__dict__.get("BINDINGS", ())) if b.id)
    return ids


def test_the_checked_ids_are_the_ids_the_ui_declares():
    assert BINDING_IDS == declared_binding_ids()
