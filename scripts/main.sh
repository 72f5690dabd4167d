#!/usr/bin/env bash
# The main job on the embedded defaults: set-up, grow trees from the example instructions, export them, sync DuckDB.
# Needs an OpenAI-compatible endpoint: OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (vLLM, Ollama, llama.cpp).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
model="${ARBORETUM_MODEL:-gpt-4o-mini}"
npx arboretum grow --instructions examples/instructions.jsonl --model "$model" ${OPENAI_BASE_URL:+--base-url "$OPENAI_BASE_URL"}
mkdir -p out
# One card (out/README.md) for both files: load_dataset("out", "pairs") / load_dataset("out", "sft"). The license of
# grown data follows the instructions' and the models' terms, so it is left unknown here; state it when you know it.
npx arboretum export --format ultrainteract-pair --out out/pairs.jsonl --card --license unknown
npx arboretum export --format ultrainteract-sft --out out/sft.jsonl --card --license unknown
npx arboretum analytics sync --db .arboretum/arboretum.duckdb
npx arboretum sql --db .arboretum/arboretum.duckdb "SELECT * FROM tree_length"
