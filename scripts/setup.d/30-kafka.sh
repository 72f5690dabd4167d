#!/usr/bin/env bash
# The local Kafka broker and its interop client: Java 17+ and Maven (to fetch and run the broker), kcat (the
# interop test and the benchmark's ceiling), a compose client (docker-compose.yml's test), and the broker jars fetched once into ~/.cache/arboretum so that a
# test run starts the broker offline and fast. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."

need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v kcat >/dev/null 2>&1 || need+=(kcat)
# `docker compose config` checks docker-compose.yml without an engine; Debian ships the v1 client.
docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
if [ -z "$java_major" ] || [ "$java_major" -lt 17 ]; then
  echo "setup: the Kafka broker needs Java 17 or newer (found: ${java_major:-none})" >&2
  exit 1
fi

# Pre-fetch the broker jars (a no-op when cached).
npx tsx -e "import('./connectors/log/kafka/broker/brokerJars.ts').then(async (m) => console.error('setup: kafka jars in ' + await m.brokerJars()))"
