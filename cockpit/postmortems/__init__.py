"""Postmortems: from an incident to a reviewed document. No Textual import.

- ``draft``: the seed's blameless template (SECTIONS, PROMPTS), the draft
  prefilled from an incident, front-matter edits (status, export) and where
  a new draft lives.
- ``listing``: the drafts folder listed (re-read only where a file changed).
- ``lint``: ``cockpit postmortem check``: is a postmortem ready for review?
- ``retro``: the post-on-call retrospective draft of one person's shift.
- ``action_items``: append a row to the Action Items table.
- ``writer``: DraftWriter, the one gate every draft write goes through
  (refused in read-only mode, audited, atomic).

Import what you need from its module; this package re-exports nothing.
"""
