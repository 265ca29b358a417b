"""The cockpit's panels: one module per panel, each a self-contained widget."""
