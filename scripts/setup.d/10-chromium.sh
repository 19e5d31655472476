#!/usr/bin/env bash
# Browser tests drive Debian's chromium through playwright-core (never a downloaded browser build).
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "browser tests need /usr/bin/chromium: run 'sudo apt-get install chromium fonts-noto-cjk'" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
