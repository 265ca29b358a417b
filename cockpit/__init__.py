"""cockpit: a terminal operations cockpit."""

__version__ = "0.1.0"
