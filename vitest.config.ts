import { defineConfig } from 'vitest/config';
import { unitFiles as unit } from './test/setup/unitFiles.ts';

// Two projects: `unit` (the files test/setup/unitFiles.ts lists, and the rule they follow) and `integration` (all
// other tests). `npx vitest run --project unit` runs the pure suite alone; `npm test` runs both.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Every test must assert something: a test whose expectations never ran fails (test/setup/hasAssertions.ts).
    setupFiles: ['test/setup/hasAssertions.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: unit } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: unit,
          // A hang detector, never a speed check: several CLI runs with the sandbox take minutes at load ~20 on 2 cores.
          testTimeout: 180_000,
          // Kafka tests: KAFKA_BROKERS, or a broker started on first use and stopped at the end (test/setup/kafkaBroker.ts).
          globalSetup: ['test/setup/kafkaBroker.ts'],
        },
      },
    ],
  },
});
