"""Every binding id `keymap:` in the config may rebind, for `cockpit check`
(which imports no Textual, so it cannot read them off the widgets).
tests/test_keymap_ids.py keeps this list equal to the ids the UI declares."""

BINDING_IDS = frozenset({
    "adrs.glossary", "adrs.service", "adrs.superseded_by", "adrs.supersedes",
    "cockpit.adrs", "cockpit.back", "cockpit.docs", "cockpit.help", "cockpit.incidents", "cockpit.onboarding", "cockpit.oncall",
    "cockpit.overview",
    "cockpit.palette", "cockpit.postmortems", "cockpit.quit", "cockpit.refresh", "cockpit.runbooks",
    "cockpit.services", "cockpit.slos",
    "form.cancel",
    "glossary.close",
    "help.close",
    "incidents.ack", "incidents.copy_runbook", "incidents.declare", "incidents.grouping",
    "incidents.label_filter", "incidents.note", "incidents.postmortem", "incidents.resolve", "incidents.role",
    "incidents.runbook", "incidents.service", "incidents.show_resolved", "incidents.silence",
    "incidents.silences", "incidents.state_filter", "incidents.status",
    "links.down", "links.up",
    "onboarding.down", "onboarding.open_link", "onboarding.toggle", "onboarding.up",
    "oncall.retro",
    "panel.filter",
    "postmortems.action_item", "postmortems.copy", "postmortems.edit", "postmortems.export",
    "postmortems.mark", "postmortems.new", "postmortems.preview", "postmortems.save",
    "prompt.cancel", "prompt.no", "prompt.yes",
    "runbooks.glossary", "runbooks.search", "runbooks.service", "runbooks.steps",
    "services.kill_switch",
    "silences.close", "silences.expire", "silences.reload",
    "table.bottom", "table.clear_filter", "table.down", "table.filter", "table.open", "table.page_down",
    "table.page_up", "table.reverse", "table.sort", "table.top", "table.up",
})
