"""ADR words and the links between ADRs: the statuses the templates use,
how a reference names an ADR ("ADR-0005", "[5. Title](0005-title.md)"),
and supersede links followed both ways (an ADR may say "Supersedes ADR-2"
with ADR-2 silent, or ADR-2 may say "Superseded by ADR-5" alone).

Pure: the source, the check, the panel and the card all ask here."""

from __future__ import annotations

import re
from typing import Iterable

from cockpit.model import ADR

# The practices guide's (Proposed | Accepted | Deprecated | Superseded, and
# Rejected in its workflow), MADR's and Nygard's words.
STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")

# A reference's number: the link target's file name (0005-x.md), else
# "ADR-5" / "ADR 0005" / "adr-005", else a leading "5." as adr-tools titles links.
_FILE_NUMBER = re.compile(r"\]\(\s*(?:[^)\s]*/)?(\d+)[-_][^)]*\)")
_ADR_NUMBER = re.compile(r"\badr[-_ ]?0*(\d+)\b", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^\s*\[?\s*0*(\d+)\b")


def ref_numbers(text: str) -> tuple[int, ...]:
    """The ADR numbers a supersede reference names, in order, once each:
    "ADR-0002, ADR-0003", "[2. Use X](0002-use-x.md)", "0002"."""
    found: list[int] = []
    for part in re.split(r",|;|\band\b", text):
        match = _FILE_NUMBER.search(part) or _ADR_NUMBER.search(part) or _BARE_NUMBER.search(part)
        if match and int(match.group(1)) not in found:
            found.append(int(match.group(1)))
    return tuple(found)


def superseded_by(adr: ADR, adrs: Iterable[ADR]) -> tuple[int, ...]:
    """The ADRs that replace ``adr``: the ones it names, and the ones that
    say they supersede it."""
    numbers = list(adr.superseded_by)
    numbers += [other.number for other in adrs if adr.number in other.supersedes and other.number not in numbers]
    return tuple(numbers)


def supersedes(adr: ADR, adrs: Iterable[ADR]) -> tuple[int, ...]:
    """The ADRs ``adr`` replaces: the ones it names, and the ones naming it
    as their successor."""
    numbers = list(adr.supersedes)
    numbers += [other.number for other in adrs if adr.number in other.superseded_by and other.number not in numbers]
    return tuple(numbers)

