"""Documentation freshness: every owned document the cockpit knows, whatever
its kind, as one record with its owner, last validated and next review date,
and why it is stale (the practices guide's "Documentation Freshness Rules").

One collector per kind turns what the cockpit holds (the snapshot, the drafts
folder, the config's settings) into ``OwnedDocument``s; ``KINDS`` is the
registry. Adding a kind is one collector function and one ``DocKind`` line.
The staleness rule is ``cockpit.model.past_review``, the runbooks' own, so
`cockpit runbooks --stale` and `cockpit docs --stale` agree. No Textual import.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from cockpit import onboarding
from cockpit.adr_links import superseded_by
from cockpit.doc_settings import DocSettings
from cockpit.model import Snapshot, past_review
from cockpit.postmortems.listing import list_drafts

# An ADR that is history (replaced, withdrawn, turned down) is not reviewed.
_HISTORICAL_ADR = frozenset({"superseded", "deprecated", "rejected"})


@dataclass(frozen=True)
class OwnedDocument:
    kind: str  # a DocKind name: runbooks, postmortems, onboarding, adrs
    title: str
    ref: str  # what its panel opens it by (runbook path, draft path); "" for the one document of its kind
    owner: str
    last_validated: date | None
    next_review: date | None
    stale_reason: str = ""  # "" when fresh
    source: str = ""  # the source it came from, when one did

    @property
    def stale(self) -> bool:
        return bool(self.stale_reason)

    @property
    def key(self) -> str:
        """Unique across kinds (a row key)."""
        return f"{self.kind}:{self.ref}"


@dataclass(frozen=True)
class DocInputs:
    """What the collectors read."""

    snapshot: Snapshot
    today: date
    settings: DocSettings = DocSettings()
    drafts_folder: Path | None = None  # the postmortem drafts; None: none listed


Collector = Callable[[DocInputs], Iterable[OwnedDocument]]


@dataclass(frozen=True)
class DocKind:
    name: str
    collect: Collector
    panel: str = ""  # the panel that opens one of these ("" when the cockpit has no viewer)
    feeds: str = ""  # the snapshot key its documents come from: sources providing it are fetched


def stale_reason(last_validated: date | None, next_review: date | None, today: date) -> str:
    """Why a document is stale by ``past_review``, in a few words; "" when fresh."""
    if not past_review(next_review, today):
        return ""
    if next_review is None:
        return "never validated"
    overdue = (today - next_review).days  # the date itself is beside it, as next review
    late = f"{overdue} day{'s' if overdue != 1 else ''} overdue"
    return late if last_validated else "never validated, " + late


def review_day(moment: datetime) -> date:
    """The day reviews are judged on: the UTC date, as the gate in CI sees it."""
    return moment.astimezone(timezone.utc).date()


def _document(kind: str, title: str, ref: str, owner: str, last_validated: date | None, next_review: date | None,
              today: date, source: str = "") -> OwnedDocument:
    return OwnedDocument(kind, title, ref, owner, last_validated, next_review,
                         stale_reason(last_validated, next_review, today), source)


# -- the collectors, one per kind ---------------------------------------------

def runbook_documents(inputs: DocInputs) -> Iterable[OwnedDocument]:
    for runbook in inputs.snapshot.runbooks:
        yield _document("runbooks", runbook.title, runbook.path, runbook.owner, runbook.last_validated,
                        runbook.next_review, inputs.today, runbook.source)


def postmortem_documents(inputs: DocInputs) -> Iterable[OwnedDocument]:
    """Drafts and reviewed postmortems in the drafts folder. A draft never
    validated is due a review one cadence after it was written."""
    if inputs.drafts_folder is None:
        return
    every = inputs.settings.cadence("postmortems")
    for draft in list_drafts(inputs.drafts_folder):
        since = draft.last_validated or (draft.created.date() if draft.created else None)
        document = _document("postmortems", draft.title, draft.path, draft.owner, draft.last_validated,
                             since + every if since else None, inputs.today)
        if draft.problem:  # front matter unreadable: nothing in it can be trusted
            document = replace(document, stale_reason="front matter unreadable")
        yield document


def onboarding_documents(inputs: DocInputs) -> Iterable[OwnedDocument]:
    """The on-call checklist the Onboarding panel walks (its owner and date in the config)."""
    settings = inputs.settings
    validated = settings.onboarding_last_validated
    yield _document("onboarding", onboarding.TITLE, "", settings.onboarding_owner, validated,
                    validated + settings.cadence("onboarding") if validated else None, inputs.today)


def adr_documents(inputs: DocInputs) -> Iterable[OwnedDocument]:
    """The ADRs still in force, due a review one cadence after their last
    validation (or, never validated, after their date)."""
    every = inputs.settings.cadence("adrs")
    for adr in inputs.snapshot.adrs:
        if adr.status in _HISTORICAL_ADR or superseded_by(adr, inputs.snapshot.adrs):
            continue
        since = adr.last_validated or adr.date
        yield _document("adrs", f"{adr.key} {adr.title}", adr.path, adr.owner, adr.last_validated,
                        since + every if since else None, inputs.today, adr.source)


KINDS: tuple[DocKind, ...] = (
    DocKind("runbooks", runbook_documents, panel="runbooks", feeds="runbooks"),
    DocKind("postmortems", postmortem_documents, panel="postmortems"),
    DocKind("onboarding", onboarding_documents, panel="onboarding"),
    DocKind("adrs", adr_documents, panel="adrs", feeds="adrs"),
)
KIND_NAMES = tuple(kind.name for kind in KINDS)
_BY_NAME = {kind.name: kind for kind in KINDS}


def kind(name: str) -> DocKind:
    return _BY_NAME[name]


def collect(inputs: DocInputs, kinds: Iterable[str] = KIND_NAMES) -> list[OwnedDocument]:
    """Every document of ``kinds``, kind by kind in registry order."""
    return [document for name in kinds for document in _BY_NAME[name].collect(inputs)]
