#!/usr/bin/env bash
# Installs the Debian packages the tests drive as real parts, when they are missing:
# Prometheus Alertmanager (the alerting tests start their own; the package's service is never
# used), openssl (a TLS certificate for the in-process SMTP server), chromium (the web UI tests
# drive it with playwright-core, which never downloads a browser), and clickhouse-server and
# nats-server (the scale-out tests start their own on free loopback ports with throwaway data dirs,
# so a service the package may have started is never used).
set -euo pipefail
missing=()
[ -x /usr/bin/prometheus-alertmanager ] || missing+=(prometheus-alertmanager)
command -v openssl >/dev/null || missing+=(openssl)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/clickhouse-server ] || missing+=(clickhouse-server)
[ -x /usr/sbin/nats-server ] || missing+=(nats-server)
if [ "${#missing[@]}" -gt 0 ]; then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  # The packages' own services are never used, and clickhouse-server's install fails when its
  # service cannot start (no init system in a container): Debian's policy-rc.d keeps them stopped.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${as_root[@]}" chmod 755 /usr/sbin/policy-rc.d
    trap '"${as_root[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  "${as_root[@]}" apt-get update
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
