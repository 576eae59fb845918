#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
# Install it when missing and we are allowed to; otherwise say so (the browser tests skip).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
elif [ -n "${CI:-}" ]; then
  echo "chromium is missing and cannot be installed (not root): browser tests would not run" >&2
  exit 1
else
  echo "Note: chromium is not installed; browser tests will be skipped (sudo apt-get install chromium)."
fi
