"""The card's feature flags and kill switches (a flags source): each with
the variant it serves and its value, DISABLED when flagd treats it as
missing, and whether targeting rules may serve other variants. Also what
flipping a kill switch asks and sends (the panel's x key)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from rich.text import Text

from cockpit.model import Flag, Service
from cockpit.service_index import Index
from cockpit.untrusted import clean
from cockpit.ui.widgets.text import literal
from cockpit.writes import Action

KILL_SWITCH = "kill_switch"  # the flags source's write
LABEL = "Flags            "
INDENT = " " * len(LABEL)
_VALUE_WIDTH = 24


def flags_summary(service: Service, index: Index, now: datetime) -> Text | None:
    flags = sorted(index.flags.get(service.name, ()), key=lambda f: (not f.kill_switch, f.key))
    if not flags:
        return None
    text = Text()
    for n, flag in enumerate(flags):
        text.append("\n" if n else "").append(INDENT if n else LABEL, style="dim")
        text.append_text(literal(flag.key, "bold"))
        if flag.kill_switch:
            text.append("  kill switch", style="bold magenta")
        text.append("  ").append_text(served(flag))
        if flag.state != "ENABLED":
            text.append(f"  {flag.state or 'no state'}: flagd serves the code's default", style="bold yellow")
        if flag.targeted:
            text.append("  targeted", style="dim")
    return text


def served(flag: Flag) -> Text:
    """'on = true': the default variant and its value, as flagd serves it."""
    if flag.default_variant is None:
        return Text("code default", style="dim")
    value = flag.value
    style = "bold green" if value is True else "bold red" if value is False else ""
    return literal(f"{flag.default_variant} = {_shown(value)}", style)


def _shown(value: object) -> str:
    shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, dict) else "{…}"
    return shown if len(shown) <= _VALUE_WIDTH else shown[:_VALUE_WIDTH - 1] + "…"


def kill_switches(service: Service, index: Index) -> list[Flag]:
    return sorted((f for f in index.flags.get(service.name, ()) if f.kill_switch), key=lambda f: f.key)


def flip_question(flag: Flag, service: str) -> str:
    """The confirmation: the flag named, what it serves now and will serve."""
    now = f"{flag.default_variant} = {_shown(flag.value)}"
    other = next((name for name, value in flag.variants.items() if value is (flag.value is not True)), "?")
    then = f"{other} = {_shown(flag.variants.get(other))}"
    targeting = "\nIts targeting rules may still serve other variants." if flag.targeted else ""
    # One line per fact: a name with a line break in it must not add lines of its own.
    key, service, now, then, file = (clean(part, single_line=True) for part in
                                     (flag.key, service, now, then, Path(flag.file).name))
    return (f"Flip kill switch {key} of {service}?\n"
            f"It serves {now} now, and will serve {then}.\n"
            f"Written to {file}; flagd picks it up at once.{targeting}")


def flip_action(flag: Flag) -> Action:
    return Action(KILL_SWITCH, flag.key, {"file": flag.file, "from": flag.default_variant})
