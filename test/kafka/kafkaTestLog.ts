import { randomBytes } from 'node:crypto';
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';
import { startBroker } from '../../connectors/log/kafka/broker/startBroker.ts';
import { createKafkaEventLog, type KafkaEventLogOptions } from '../../connectors/log/kafka/kafkaEventLog.ts';
import { waitFor } from '../support/waitFor.ts';

let brokers: Promise<string[]> | undefined;

/**
 * The broker of this test run: KAFKA_BROKERS, else the run's own broker (test/setup/kafkaBroker.ts), started by the
 * first test file that asks, under a lock folder so parallel test files start one.
 */
export function testBrokers(): Promise<string[]> {
  brokers ??= (async () => {
    const external = inject('kafkaBrokers');
    if (external) return external.split(',');
    const root = inject('kafkaBrokerDir');
    const lock = join(root, 'broker.lock');
    // Another test file holds the lock while it starts the broker (a JVM: minutes on a loaded machine).
    await waitFor(
      () =>
        mkdir(lock).then(
          () => true,
          (e: NodeJS.ErrnoException) => {
            if (e.code === 'EEXIST') return false;
            throw e;
          },
        ),
      { what: `the broker start lock ${lock}`, deadlineMs: 180_000, everyMs: 100 },
    );
    try {
      return [await startBroker({ dir: join(root, 'broker') })];
    } finally {
      await rmdir(lock);
    }
  })();
  return brokers;
}

/** A namespace no other test uses, so every test has fresh topics and groups. */
export function freshNamespace(): string {
  return `arboretum.t${randomBytes(5).toString('hex')}.`;
}

/** A Kafka log in its own namespace on the test broker. */
export async function openTestLog(namespace: string, options: Partial<KafkaEventLogOptions> = {}) {
  return createKafkaEventLog({ brokers: await testBrokers(), namespace, maxWaitMs: 100, ...options });
}

/** A plain kafkajs client on the test broker (to write what our producer never would). */
export async function rawKafka(): Promise<Kafka> {
  return new Kafka({ brokers: await testBrokers(), logLevel: logLevel.NOTHING });
}

/** Deletes the topics of a namespace (keeps the test broker small), or those `only` names. */
export async function deleteNamespace(namespace: string, only?: readonly string[]): Promise<void> {
  const admin = (await rawKafka()).admin();
  await admin.connect();
  try {
    const names = (await admin.listTopics()).filter((t) =>
      only ? only.some((name) => t === namespace + name) : t.startsWith(namespace),
    );
    if (names.length) await admin.deleteTopics({ topics: names, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}
