"""The config's `docs:` section: each document kind's review cadence, and the
onboarding checklist's owner. Apart from cockpit.doc_freshness (which
collects the documents) so loading a config does not import every collector."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Mapping

from cockpit.model import EMPTY

# The guide's review schedule ("Weekly: Runbooks; Monthly: API docs, operational
# docs; Quarterly: architecture docs ..."). Runbooks keep their own setting,
# the top-level `review_every` (and each runbook's front matter); the config's
# `docs: <kind>: review_every:` overrides these.
DEFAULT_REVIEW_EVERY: Mapping[str, timedelta] = {
    "postmortems": timedelta(days=30),  # operational docs: their action items are followed up monthly
    "onboarding": timedelta(days=30),  # the on-call checklist is an operational doc
    "adrs": timedelta(days=91),  # architecture docs: quarterly
}

@dataclass(frozen=True)
class DocSettings:
    """The config's `docs:` section."""

    review_every: Mapping[str, timedelta] = field(default_factory=lambda: EMPTY)  # kind -> cadence
    onboarding_owner: str = ""
    onboarding_last_validated: date | None = None

    def cadence(self, kind: str) -> timedelta:
        return self.review_every.get(kind) or DEFAULT_REVIEW_EVERY[kind]
