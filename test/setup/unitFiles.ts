/**
 * The unit project: tests that run in this process only. The rule for a file here: it starts no child process (no
 * bubblewrap sandbox, no Python, no CLI run, no JVM), opens no broker, no DuckDB database and no browser, and loads
 * no model; it may use a temporary folder (the file log) and loopback HTTP to the scripted OpenAI server. Everything
 * else is the integration project. A file joins the unit project by being listed here, so files need no renames.
 * DuckDB may be imported on the way (the Parquet readers import it), never opened. test/support/unitProject.test.ts
 * walks each listed file's imports and fails on a child process, Kafka, Chromium, llama.cpp or the sandbox.
 * `npx vitest run --project unit` runs it alone (a few seconds); `npm test` runs both.
 */
export const unitFiles = [
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
