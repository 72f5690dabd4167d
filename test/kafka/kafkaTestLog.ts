import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';
import { createKafkaEventLog, type KafkaEventLogOptions } from '../../connectors/log/kafka/kafkaEventLog.ts';

/** The broker of this test run (test/setup/kafkaBroker.ts): KAFKA_BROKERS or the one the setup started. */
export function testBrokers(): string[] {
  return inject('kafkaBrokers').split(',');
}

/** A namespace no other test uses, so every test has fresh topics and groups. */
export function freshNamespace(): string {
  return `arboretum.t${randomBytes(5).toString('hex')}.`;
}

/** A Kafka log in its own namespace on the test broker. */
export function openTestLog(namespace: string, options: Partial<KafkaEventLogOptions> = {}) {
  return createKafkaEventLog({ brokers: testBrokers(), namespace, maxWaitMs: 100, ...options });
}

/** Deletes the topics of a namespace (keeps the test broker small). */
export async function deleteNamespace(namespace: string): Promise<void> {
  const admin = new Kafka({ brokers: testBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const names = (await admin.listTopics()).filter((t) => t.startsWith(namespace));
    if (names.length) await admin.deleteTopics({ topics: names, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
  }
}
