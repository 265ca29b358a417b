#!/usr/bin/env bash
# Install Debian's Alertmanager for the integration tests and the benchmark
# (binary /usr/bin/prometheus-alertmanager, CLI amtool), then run its tests.
# Idempotent: installs only when the binary is missing. Nothing is started
# here: each test starts its own instances on free 127.0.0.1 ports with
# gossip off and temporary storage.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/prometheus-alertmanager ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends prometheus-alertmanager >/dev/null
fi
/usr/bin/prometheus-alertmanager --version 2>&1 | head -1

PYTHON="${PYTHON:-.venv/bin/python}"
"$PYTHON" -m pytest -q tests/integration/test_alertmanager.py tests/test_alerts.py tests/test_pagerduty.py "$@"
