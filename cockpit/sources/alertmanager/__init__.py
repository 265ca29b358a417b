"""The Alertmanager source: firing alerts and silences from one or more
instances (each with its own deadline and breaker). source.py is the Source;
api.py decodes and maps Alertmanager's v2 API replies."""
