"""What the app and every panel draw with: the Panel base and what the app
gives it, the messages panels ask the app with, the keyed filter table,
links, dialogs, badges and the literal renderer of untrusted text. Imports
no panel."""
