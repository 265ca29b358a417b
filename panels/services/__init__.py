"""Services: who owns what, and the service card an on-call engineer needs.

The table lists every catalog service (rows.py); enter opens its card
(card.py: owner, contact, escalation path with timing, who is on call now,
dependencies both ways, data domains) with selectable links to its SLOs,
incidents, runbooks and to the services it touches. panel.py ties them."""

from cockpit.panels.services.card import card_links, card_summary
from cockpit.panels.services.panel import ServicesPanel
from cockpit.panels.services.rows import service_line, service_row

__all__ = ["ServicesPanel", "card_links", "card_summary", "service_line", "service_row"]
