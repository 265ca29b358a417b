"""`cockpit serve`: the app in a browser tab, through textual-serve.

textual-serve starts one process per browser session (cockpit.web.session).
None of them fetches anything: the serve process runs the one hub
(cockpit.web.feed) and sends every snapshot it publishes to each session's
RemoteHub (cockpit.web.remote_hub), which the app uses as it uses a Hub. So N
sessions cost the backends what one does.
"""
