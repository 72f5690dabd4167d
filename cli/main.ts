import { readFileSync } from 'node:fs';
import { isArboretumError, messageOf } from '../schemas/errors.ts';
import { wantsHelp } from './args.ts';
import type { Command } from './command.ts';
import { damageLedger } from './damageLedger.ts';
import { errorText } from './errorText.ts';

/**
 * Every subcommand, loaded lazily so `arboretum log …` does not load DuckDB or the LLM client. `examples` are printed
 * after a command's help when its help has none of its own.
 */
const commands: Record<
  string,
  { summary: string; examples?: readonly string[]; load: () => Promise<{ command: Command }> }
> = {
  grow: {
    summary: 'grow preference trees from instructions with LLM actors and a critic',
    examples: [
      'arboretum grow --instructions examples/instructions.jsonl --model gpt-4o-mini --max-turns 3',
      'arboretum grow --config examples/grow.yaml',
    ],
    load: () => import('./commands/grow.ts'),
  },
  status: {
    summary:
      'fleet status: instructions, trees open/closed/failed per writer and partition, growth complete or not',
    examples: ['arboretum status --log kafka://127.0.0.1:9092', 'arboretum status --json'],
    load: () => import('./commands/status.ts'),
  },
  submit: {
    summary: 'append instructions from a file (jsonl/json/parquet, dataset adapters) to the log',
    examples: ['arboretum submit examples/instructions.jsonl --log file:.arboretum/log'],
    load: () => import('./commands/submit.ts'),
  },
  export: {
    summary: 'replay the log into SFT rows, preference pairs and other trainer formats',
    load: () => import('./commands/export.ts'),
  },
  import: {
    summary: 'turn public UltraInteract rows back into trees on the log',
    examples: ['arboretum import ultrainteract --pair pairs.jsonl --sft sft.jsonl --log file:imported'],
    load: () => import('./commands/import.ts'),
  },
  grade: {
    summary: 'grade math, code and logic answers against references',
    examples: [
      "arboretum grade math --gold '\\frac{1}{2}' --pred 0.5",
      'arboretum grade --batch answers.jsonl --concurrency 2',
    ],
    load: () => import('./commands/grade.ts'),
  },
  regrade: {
    summary: "re-run today's graders over the logged actions; append the verdicts that changed",
    load: () => import('./commands/regrade.ts'),
  },
  exec: {
    summary: 'run a Python file in the sandbox and print the outcome as JSON',
    examples: ["echo 'print(2+2)' > /tmp/a.py && arboretum exec /tmp/a.py --timeout-ms 5000"],
    load: () => import('./commands/exec.ts'),
  },
  analytics: {
    summary: 'sync the log into DuckDB tables (analytics sync)',
    examples: ['arboretum analytics sync --db .arboretum/arboretum.duckdb'],
    load: () => import('./commands/analytics.ts'),
  },
  sql: { summary: 'run SQL over the log through DuckDB', load: () => import('./commands/sql.ts') },
  report: {
    summary: 'write a self-contained HTML report of the log',
    examples: ['arboretum report --out report.html'],
    load: () => import('./commands/report.ts'),
  },
  view: {
    summary: 'browse trees in a local web viewer',
    examples: ['arboretum view --port 8787   # then open http://127.0.0.1:8787/'],
    load: () => import('./commands/view.ts'),
  },
  log: {
    summary: 'append, read, stat, check and copy the event log',
    examples: [
      'arboretum log stat',
      'arboretum log read --topic tree-events --limit 5',
      'arboretum log check | head',
    ],
    load: () => import('./commands/log.ts'),
  },
  kafka: {
    summary: 'start or stop a local single-node Kafka broker (no Docker needed)',
    examples: [
      'arboretum kafka start --dir .arboretum/kafka   # prints the bootstrap address for --log kafka://…',
    ],
    load: () => import('./commands/kafka.ts'),
  },
};

export const usage = `arboretum — grow, replay and study preference trees on an event log

Usage: arboretum <command> [options]     (arboretum help <command>, or arboretum <command> --help, for its options)
       arboretum --version

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

The log is a URI: file:<dir> (default file:.arboretum/log) or kafka://host:port[,host:port].
LLM endpoints: OPENAI_API_KEY / OPENAI_BASE_URL as the openai package reads them.

Example: arboretum grow --config examples/grow.yaml && arboretum export --format trl-dpo --out out/pairs.jsonl`;

/** The package version (package.json beside cli/). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return `arboretum ${pkg.version}`;
}

/** A command's help, with the registry's examples when the help has none of its own. */
function helpOf(name: string, command: Command): string {
  const examples = commands[name].examples;
  if (!examples?.length || /\bExamples?:/.test(command.help)) return command.help;
  return `${command.help}\n\nExample${examples.length > 1 ? 's' : ''}:\n${examples.map((e) => `  ${e}`).join('\n')}`;
}

/**
 * A closed pipe on stdout (\`arboretum log check | head\`) ends the process quietly with exit 0, as Unix tools do,
 * instead of an unhandled 'error' event and a stack trace.
 */
function quietOnClosedPipe() {
  const quiet = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  };
  if (!process.stdout.listeners('error').includes(quiet)) process.stdout.on('error', quiet);
}

/** Runs the CLI; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  quietOnClosedPipe();
  const [first] = argv;
  if (first === '--version' || first === '-V' || first === 'version') {
    console.log(version());
    return 0;
  }
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
  const [first, ...more] = argv;
  // `help <command>` is `<command> --help`.
  const [name, ...rest] = first === 'help' && more.length ? [more[0], '--help'] : argv;
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
      console.log(helpOf(name, command));
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    if (isArboretumError(e)) {
      console.error(errorText(name, e));
      return 2;
    }
    console.error(`arboretum ${name}: ${messageOf(e)}`);
    if (process.env.ARBORETUM_DEBUG) console.error(e);
    return 1;
  }
}
