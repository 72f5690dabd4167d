import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Kafka tests: KAFKA_BROKERS, or a broker started on first use and stopped at the end (test/setup/kafkaBroker.ts).
    globalSetup: ['test/setup/kafkaBroker.ts'],
  },
});
