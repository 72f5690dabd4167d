#!/usr/bin/env bash
# Python's avro package for the interop tests (they read our Avro files with it), in the python3 on PATH.
set -euo pipefail
python3 -c 'import avro' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check 'avro==1.12.*'
