import { defineConfig } from 'vitest/config';

/**
 * The unit project: tests that run in this process only. The rule for a file here: it starts no child process (no
 * bubblewrap sandbox, no Python, no CLI run, no JVM), opens no broker, no DuckDB database and no browser, and loads
 * no model; it may use a temporary folder (the file log) and loopback HTTP to the scripted OpenAI server. Everything
 * else is the integration project. A file joins the unit project by being listed here, so files need no renames.
 * `npx vitest run --project unit` runs it alone (a few seconds); `npm test` runs both.
 */
const unit = [
  'test/assemble/*.test.ts',
  'test/schemas/schemas.test.ts',
  'test/grade/compareOutput.test.ts',
  'test/grade/gradeLogic.test.ts',
  'test/grade/parseAction.test.ts',
  'test/grow/core.test.ts',
  'test/grow/decide.test.ts',
  'test/grow/growProgress.test.ts',
  'test/export/followExport.test.ts',
  'test/export/formatLines.test.ts',
  'test/export/importHygiene.test.ts',
  'test/export/spreadLines.test.ts',
  'test/regrade/applyReverdicts.test.ts',
  'test/sources/hygiene.test.ts',
  'test/sources/recordHash.test.ts',
  'test/llm/openAIClient.test.ts',
  'test/log/fileEventLog.contract.test.ts',
  'test/support/*.test.ts',
];

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
          // Kafka tests: KAFKA_BROKERS, or a broker started on first use and stopped at the end (test/setup/kafkaBroker.ts).
          globalSetup: ['test/setup/kafkaBroker.ts'],
        },
      },
    ],
  },
});
