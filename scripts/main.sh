#!/usr/bin/env bash
# The main job on the embedded defaults: set-up, grow trees from the example instructions, export them, sync DuckDB.
# With OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (vLLM, Ollama, llama.cpp server) it grows with that endpoint
# (ARBORETUM_MODEL, default gpt-4o-mini). With neither, it grows with SmolLM2-135M-Instruct in this process
# (examples/grow-local.yaml: two turns, no fallbacks, 160 tokens an answer; a few minutes on 2 cores): it shows the
# whole pipeline without a key, but a 135M model solves little, so most trees close exhausted. Real data needs a
# real model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -n "${OPENAI_API_KEY:-}" ] || [ -n "${OPENAI_BASE_URL:-}" ]; then
  model="${ARBORETUM_MODEL:-gpt-4o-mini}"
  npx arboretum grow --instructions examples/instructions.jsonl --model "$model" ${OPENAI_BASE_URL:+--base-url "$OPENAI_BASE_URL"}
else
  echo "main: no OPENAI_API_KEY or OPENAI_BASE_URL: growing with the local SmolLM2-135M-Instruct (examples/grow-local.yaml)" >&2
  npx arboretum grow --config examples/grow-local.yaml
fi
mkdir -p out
# One card (out/README.md) for both files: load_dataset("out", "pairs") / load_dataset("out", "sft"). The license of
# grown data follows the instructions' and the models' terms, so it is left unknown here; state it when you know it.
npx arboretum export --format ultrainteract-pair --out out/pairs.jsonl --card --license unknown
npx arboretum export --format ultrainteract-sft --out out/sft.jsonl --card --license unknown
npx arboretum analytics sync --db .arboretum/arboretum.duckdb
npx arboretum sql --db .arboretum/arboretum.duckdb "SELECT * FROM tree_length"
