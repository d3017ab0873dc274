#!/usr/bin/env bash
# The GraphiQL test drives Debian's Chromium at /usr/bin/chromium. Installs it with apt when it is
# missing and this runs as root; otherwise says what to install and fails, so the test never skips.
set -euo pipefail
[[ -x /usr/bin/chromium ]] && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the GraphiQL browser test..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The GraphiQL browser test needs Chromium at /usr/bin/chromium: run 'sudo apt-get install chromium'." >&2
exit 1
