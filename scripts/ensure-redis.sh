#!/usr/bin/env bash
# The Redis tests (shared cache, shared rate limit) start Debian's redis-server on a free loopback
# port. Installs it with apt when it is missing and this runs as root; otherwise says what to install
# and fails, so the tests never skip.
set -euo pipefail
command -v redis-server >/dev/null && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "Installing Debian's redis-server for the Redis tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  exit 0
fi
echo "The Redis tests need redis-server: run 'sudo apt-get install redis-server'." >&2
exit 1
