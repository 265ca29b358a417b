"""The app shell's screens and widgets: header bars, help, command palette, dialogs."""
