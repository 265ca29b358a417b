"""The Prometheus source: SLO status from SLO files (any format slo_specs
reads) evaluated with PromQL. source.py is the Source; api.py talks to one
Prometheus (prometheus-api-client over requests_bridge.py, so its HTTP goes
through sources/http.py); results.py turns query results into SLO status;
sloth_rules.py uses Sloth's recording rules where they exist."""
