"""The Textual layer: the app (app.py, the only holder of the hub, the
config and the clock), its bars, help and palette, and the widgets every
panel uses (widgets/). The panels themselves are in the top-level panels/
folder, installed as cockpit.panels; docs/architecture.md has the rules."""
