import { isArboretumError, messageOf } from '../schemas/errors.ts';
import { wantsHelp } from './args.ts';
import type { Command } from './command.ts';
import { damageLedger } from './damageLedger.ts';

/** Every subcommand, loaded lazily so `arboretum log …` does not load DuckDB or the LLM client. */
const commands: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  grow: {
    summary: 'grow preference trees from instructions with LLM actors and a critic',
    load: () => import('./commands/grow.ts'),
  },
  submit: {
    summary: 'append instructions from a file (jsonl/json/parquet, dataset adapters) to the log',
    load: () => import('./commands/submit.ts'),
  },
  export: {
    summary: 'replay the log into SFT rows, preference pairs and other trainer formats',
    load: () => import('./commands/export.ts'),
  },
  import: {
    summary: 'turn public UltraInteract rows back into trees on the log',
    load: () => import('./commands/import.ts'),
  },
  grade: {
    summary: 'grade math, code and logic answers against references',
    load: () => import('./commands/grade.ts'),
  },
  exec: {
    summary: 'run a Python file in the sandbox and print the outcome as JSON',
    load: () => import('./commands/exec.ts'),
  },
  analytics: {
    summary: 'sync the log into DuckDB tables (analytics sync)',
    load: () => import('./commands/analytics.ts'),
  },
  sql: { summary: 'run SQL over the log through DuckDB', load: () => import('./commands/sql.ts') },
  report: {
    summary: 'write a self-contained HTML report of the log',
    load: () => import('./commands/report.ts'),
  },
  view: { summary: 'browse trees in a local web viewer', load: () => import('./commands/view.ts') },
  log: {
    summary: 'append, read, stat, check and copy the event log',
    load: () => import('./commands/log.ts'),
  },
  kafka: {
    summary: 'start or stop a local single-node Kafka broker (no Docker needed)',
    load: () => import('./commands/kafka.ts'),
  },
};

export const usage = `arboretum — grow, replay and study preference trees on an event log

Usage: arboretum <command> [options]     (arboretum <command> --help for its options)

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

The log is a URI: file:<dir> (default file:.arboretum/log) or kafka://host:port[,host:port].
LLM endpoints: OPENAI_API_KEY / OPENAI_BASE_URL as the openai package reads them.`;

/** Runs the CLI; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // --allow-damaged is global: reads skip damaged regions either way and print each; it decides the exit code.
  damageLedger.allowed = argv.includes('--allow-damaged');
  const code = await run(argv.filter((a) => a !== '--allow-damaged'));
  const n = damageLedger.regions.length;
  if (!n) return code;
  if (damageLedger.allowed) {
    console.error(`arboretum: --allow-damaged: went on past ${n} damaged or missing region(s) of the log`);
    return code;
  }
  console.error(
    `arboretum: ${n} damaged or missing region(s) of the log were not served (each above); run arboretum log check, or pass --allow-damaged to accept the loss`,
  );
  return code === 0 ? 1 : code;
}

async function run(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name ? 0 : 1;
  }
  const entry = commands[name];
  if (!entry) {
    console.error(`arboretum: unknown command ${JSON.stringify(name)}\n\n${usage}`);
    return 2;
  }
  try {
    const { command } = await entry.load();
    const helpAsked = command.subcommands ? rest[0] === '--help' || rest[0] === '-h' : wantsHelp(rest);
    if (helpAsked) {
      console.log(command.help);
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    if (isArboretumError(e)) {
      console.error(`arboretum ${name}: ${e.message}`);
      return 2;
    }
    console.error(`arboretum ${name}: ${messageOf(e)}`);
    if (process.env.ARBORETUM_DEBUG) console.error(e);
    return 1;
  }
}
