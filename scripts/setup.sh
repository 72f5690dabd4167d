#!/usr/bin/env bash
# Installs everything arboretum needs on a fresh Debian machine (system packages, Python packages, npm deps).
# Each part lives in scripts/setup.d/*.sh and is run in name order; every part is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
for part in scripts/setup.d/*.sh; do
  echo "setup: ${part}" >&2
  bash "$part"
done
