#!/bin/sh
# Install the real servers the integration tests and benchmarks run against:
# Debian's prometheus (/usr/bin/prometheus, /usr/bin/promtool). Installing the
# package starts no service here; the tests start their own on free ports.
# Idempotent: does nothing when the binaries are already there.
set -eu

if [ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ]; then
    echo "prometheus already installed: $(/usr/bin/prometheus --version 2>&1 | head -n 1)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus
/usr/bin/prometheus --version 2>&1 | head -n 1
