"""Immutable domain objects: what sources return and panels render.

Nothing here knows about Textual, HTTP or YAML. Collections are tuples and
mappings are read-only so a snapshot can be shared between the hub and every
panel without copies or locks.
"""

from cockpit.model.base import EMPTY, copy_with, frozen_map
from cockpit.model.catalog import (DEFAULT_ESCALATION_AFTER, RESTORE_TEST_EVERY, ApiLink, BackupStatus, DataDomain,
                                   EscalationStep, Flag, RecoveryFacts, Service)
from cockpit.model.docs import ADR, GlossaryTerm, Postmortem, Runbook, adr_key, past_review
from cockpit.model.incidents import (INCIDENT_STATUSES, ROLES, SEVERITIES, Incident, TimelineEntry, incident_key,
                                     severity_rank, waiting_text)
from cockpit.model.oncall import OnCall, Page
from cockpit.model.slos import SLO, CalendarWindow, PolicyTier, SLOStatus, packed_history
from cockpit.model.snapshot import Snapshot, SourceData, SourceHealth

__all__ = [
    "ADR", "DEFAULT_ESCALATION_AFTER", "EMPTY", "INCIDENT_STATUSES", "RESTORE_TEST_EVERY", "ROLES", "SEVERITIES", "SLO",
    "ApiLink", "BackupStatus", "CalendarWindow", "DataDomain", "EscalationStep", "Flag", "GlossaryTerm", "Incident",
    "OnCall", "Page", "PolicyTier", "Postmortem", "RecoveryFacts", "Runbook", "SLOStatus", "Service", "Snapshot",
    "SourceData", "SourceHealth", "TimelineEntry", "adr_key", "copy_with", "frozen_map", "incident_key",
    "packed_history", "past_review", "severity_rank", "waiting_text",
]
