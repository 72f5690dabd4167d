import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { stopBroker } from '../../connectors/log/kafka/broker/stopBroker.ts';

/**
 * Vitest global setup for the Kafka tests. With KAFKA_BROKERS set, tests use that cluster. Otherwise this gives the
 * run a broker folder; the first Kafka test to need a broker starts it there (test/kafka/kafkaTestLog.ts, under a
 * lock), so a run without Kafka tests starts no JVM, and the teardown here stops it and removes the folder.
 */
export default async function setup(project: TestProject) {
  const external = process.env.KAFKA_BROKERS ?? '';
  const dir = external ? '' : await mkdtemp(join(tmpdir(), 'arboretum-test-kafka-'));
  project.provide('kafkaBrokers', external);
  project.provide('kafkaBrokerDir', dir);
  return async () => {
    if (!dir) return;
    await stopBroker(join(dir, 'broker'));
    await rm(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** KAFKA_BROKERS of the run, or '' when the run starts its own broker. */
    kafkaBrokers: string;
    /** Folder of the run's own broker ('' when KAFKA_BROKERS is set). */
    kafkaBrokerDir: string;
  }
}
