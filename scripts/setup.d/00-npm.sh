#!/usr/bin/env bash
# Node dependencies from the lockfile.
set -euo pipefail
# node-llama-cpp ships prebuilt llama.cpp binaries as npm packages; its postinstall must never fetch or build one.
export NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
