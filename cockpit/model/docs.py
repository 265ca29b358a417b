"""Owned documents: runbooks, ADRs, the glossary, postmortems."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True, slots=True)
class Runbook:
    path: str  # relative to the runbooks folder, e.g. "api-server/high-error-rate.md"
    title: str
    body: str
    owner: str = ""
    services: tuple[str, ...] = ()
    last_validated: date | None = None
    review_every: timedelta = timedelta(days=7)
    source: str = ""

    @property
    def next_review(self) -> date | None:
        if self.last_validated is None:
            return None
        return self.last_validated + self.review_every

    def is_stale(self, today: date) -> bool:
        """Never validated, or past its review date."""
        return past_review(self.next_review, today)


def past_review(next_review: date | None, today: date) -> bool:
    """The one freshness rule of every owned document (runbooks,
    postmortems, onboarding ...): stale when it has no review date (never
    validated) or that date has passed."""
    return next_review is None or today > next_review


@dataclass(frozen=True, slots=True)
class ADR:
    """An architecture decision record, whatever template it was written in
    (the practices guide's, MADR, Nygard's). Supersede links are kept as
    written, by number, one way; cockpit.adr_links follows them both ways."""

    number: int  # 1 for 0001-use-postgresql.md (or "ADR-001" in its title)
    path: str  # relative to the ADR folder
    title: str
    body: str
    status: str = ""  # lower case: proposed, accepted, deprecated, superseded, rejected ("" when not given)
    date: date | None = None
    deciders: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    services: tuple[str, ...] = ()  # the services it decides about
    supersedes: tuple[int, ...] = ()
    superseded_by: tuple[int, ...] = ()
    # For documentation freshness (as runbooks carry them), when the file gives them.
    owner: str = ""
    last_validated: date | None = None
    source: str = ""

    @property
    def key(self) -> str:
        return adr_key(self.number)


def adr_key(number: int) -> str:
    """ADR-0001: how the list, links, palette and check name an ADR."""
    return f"ADR-{number:04d}"


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    """One term of the glossary (the practices guide's ubiquitous language)."""

    name: str
    definition: str
    context: str = ""
    synonyms: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True, slots=True)
class Postmortem:
    path: str
    title: str
    incident_id: str = ""
    severity: str = ""
    status: str = "draft"  # draft | reviewed
    created: datetime | None = None
    problem: str = ""  # why its front matter could not be read (it is listed under its file name)
    owner: str = ""  # front matter `owner:` (the incident commander when the cockpit drafted it)
    last_validated: date | None = None  # front matter `last_validated:`, set when marked reviewed
