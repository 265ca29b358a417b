"""Postmortems: the drafts listed, viewed, exported and marked (panel.py),
edited in a markdown editor that keeps the file safe (editor.py), with the
action item form (action_item_form.py)."""

from cockpit.panels.postmortems.panel import PostmortemsPanel

__all__ = ["PostmortemsPanel"]
