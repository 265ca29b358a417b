"""Incidents: open incidents and firing alerts from every source in one
table, and the commander's writes. The panel (panel.py) uses: rows.py (a row
per incident), groups.py (state and label filters, grouping), detail.py (the
detail view), declare.py (the declare form) and silences.py (asking for a
silence, the silences screen)."""

from cockpit.panels.incidents.panel import IncidentsPanel

__all__ = ["IncidentsPanel"]
