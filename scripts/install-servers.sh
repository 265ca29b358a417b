#!/bin/sh
# Install the real servers the integration tests and benchmarks start:
# Debian's Prometheus (prometheus, promtool), Alertmanager and PostgreSQL,
# and the headless Chromium (chromium, chromium-driver) the `cockpit serve`
# browser test drives.
# Installs only; the tests start their own instances on free 127.0.0.1 ports
# (PostgreSQL as a throwaway initdb cluster run by the package's `postgres` user).
set -eu
if [ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ] && [ -x /usr/bin/prometheus-alertmanager ] \
    && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && id postgres >/dev/null 2>&1 \
    && [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager postgresql \
    chromium chromium-driver >/dev/null
