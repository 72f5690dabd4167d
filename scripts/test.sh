#!/usr/bin/env bash
# Set-up, lint, then every test: both vitest projects, unit and integration (vitest.config.ts); the Kafka tests start
# their own broker unless KAFKA_BROKERS is set. Extra arguments go to vitest (e.g. --project unit).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx biome check .
npx tsx scripts/genTypes.ts --check
npx tsx scripts/genSinkTables.ts --check
mkdir -p .cache
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest.json "$@" || status=$?
# The plain closing line, for tools that read it.
node -e '
  const r = JSON.parse(require("fs").readFileSync(".cache/vitest.json", "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
exit $status
