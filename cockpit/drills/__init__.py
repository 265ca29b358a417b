"""Fire drills (issue 17): scenarios in config/drills/*.yaml run in a sandbox
(simulated clock and sources, a throwaway incident log), scored against the
answers each scenario expects. No Textual here: the UI is cockpit/ui/drill.py."""
