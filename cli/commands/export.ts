import { createReadStream } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { map } from 'rxjs';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { treeEventsWithoutPrompts } from '../../connectors/log/treeEventsWithoutPrompts.ts';
import type { Assembled } from '../../pipelines/assemble/assembled.ts';
import type { ExportFormat } from '../../pipelines/export/exportFormat.ts';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { exportLog, type SystemPromptOption } from '../../pipelines/export/exportLog.ts';
import { followExport } from '../../pipelines/export/followExport.ts';
import { lengthWarning } from '../../pipelines/export/lengthWarning.ts';
import { outputKindOf } from '../../pipelines/export/outputKindOf.ts';
import type { RowFilterOptions } from '../../pipelines/export/rowFilter.ts';
import { createTokenCounter } from '../../pipelines/export/tokenCounter.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import type { PreferencePair, SftExample } from '../../schemas/types.ts';
import { DEFAULT_LOG, intFlag, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { damageLedger } from '../damageLedger.ts';
import { openExistingLog } from '../openExistingLog.ts';
import { openLog } from '../openLog.ts';

const help = `arboretum export — replay the log into SFT rows, preference pairs and other trainer formats

Usage:
  arboretum export --format F[,G…] --out PATH [--log URI] [--task T] [--dataset D] [--strategy S[,S]] [--min-turn N]
                   [--max-turn N] [--system-prompt none|actor|TEXT] [--context instruction|trajectory] [--tokenizer FILE]
                   [--seed N] [--card --license ID [--language L]] [--order canonical|log] [--follow]

Formats:
${[...exportFormats.values()].map((f) => `  ${f.name.padEnd(20)} ${f.description}`).join('\n')}

  --format F[,G…]   one format, or several comma-separated: one replay of the log feeds them all (each file is
                    byte for byte what its own run writes)
  --out PATH        .jsonl or .parquet (Parquet written by DuckDB); - writes JSONL to standard output. With several
                    formats: a folder (each format to <folder>/<format>.jsonl) or a path with {format} in it
                    (out/{format}.parquet)
  --task T          keep rows of one task (Coding, Math_CoT, Math_PoT, Logic)
  --dataset D       keep rows of one source dataset
  --strategy S[,S]  keep rows whose action (a pair's chosen one) was planned with one of these strategies
  --min-turn N      keep rows whose action is at turn >= N (1-based)   (--min-turns: deprecated alias)
  --max-turn N      keep rows whose action is at turn <= N             (--max-turns: deprecated alias; grow's
                    --max-turns is the turns a tree may grow)
  --system-prompt S none (default: the files stay as they always were, and a trainer's chat template may inject
                    its own default system prompt); actor: the system message the actors grew under, from the
                    log's StrategySampled prompts (for actions given the reference, the tree's first other one);
                    any other text: that text. Not for ultrainteract-* (the public schema has no system column)
  --context C       SFT and RM formats (trl-sft, openai-sft, rm-pairs): instruction (default, UltraInteract's:
                    the instruction alone) or trajectory (each action with the history it was written in)
  --tokenizer FILE  a Hugging Face tokenizer.json for the length statistics; without it tokens are approximated
                    (4 characters a token) and the warnings say so
  --seed N          seed of the trl-kto order (default 0): rows sharing a prompt are spread far apart, because
                    TRL's KTOTrainer takes each row's KL completion from its neighbour in a batch-sized block
  --card            also write a dataset card (README.md beside --out, Hugging Face format); several exports into
                    one folder share it, one config per file. Needs --license
  --license ID      the card's license (a Hugging Face id: apache-2.0, mit, cc-by-4.0 …) or unknown
  --language L      the card's language (default en)
  --order O         canonical (default): sorted by tree id and row id, byte-identical on either backend and after
                    any replay; log: rows in the order they were decided, about twice as fast, identical only on
                    the same backend (trl-kto keeps its seeded spread order either way)
  --follow          keep the export growing as rows are decided (JSONL only; Ctrl-C stops); on Kafka, pairs and
                    SFT rows are also published to the pairs and sft topics, keyed by row id (log compaction)
  --log URI         ${DEFAULT_LOG} (default) or kafka://host:port[,host:port]

A one-shot export is sorted by tree id and row id: the same log gives byte-identical files on either backend
and after any replay. Pairs are decided per turn as soon as the turn has a correct and an incorrect action (the
k-th correct with the k-th incorrect, so usually the first of each); SFT rows are all correct actions; rm-pairs
are the paper's extra single-turn pairs. Rows longer than 512 / 1024 / 2048 tokens are counted and warned about
on stderr (and in the card), with what the trainer does with them.

Examples:
  arboretum export --format trl-dpo --out out/pairs.jsonl --system-prompt actor --card --license apache-2.0
  arboretum export --format trl-sft --out out/sft.jsonl --system-prompt actor --card --license apache-2.0
  arboretum export --format trl-kto --out - --max-turn 1 | head -n 4
  arboretum export --format trl-dpo,trl-kto,trl-sft,rm-pairs --out out/{format}.parquet`;

/** The formats of a --format value: one name, or several comma-separated (one pass feeds them all). */
function formatsOf(value: string): ExportFormat[] {
  const names = value.split(',').map((n) => n.trim());
  const formats: ExportFormat[] = [];
  for (const name of names) {
    const format = exportFormats.get(name);
    if (!format) {
      throw new ArboretumError(
        'INVALID_INPUT',
        `--format ${JSON.stringify(name)} is not one of ${[...exportFormats.keys()].join(', ')}`,
      );
    }
    if (formats.includes(format)) {
      throw new ArboretumError('INVALID_INPUT', `--format ${value}: ${name} is given twice`);
    }
    formats.push(format);
  }
  return formats;
}

/**
 * Where one format goes: `{format}` in --out is replaced by its name (`out/{format}.parquet`); with several formats
 * and no `{format}`, --out is a folder and each format goes to `<folder>/<name>.jsonl`.
 */
function outOf(out: string, name: string, several: boolean): string {
  if (out.includes('{format}')) return out.replaceAll('{format}', name);
  if (!several) return out;
  if (/\.(jsonl|parquet)$/i.test(out)) {
    throw new ArboretumError(
      'INVALID_INPUT',
      `--out ${JSON.stringify(out)}: several formats need a folder or a path with {format} (e.g. out/{format}.parquet)`,
    );
  }
  return join(out, `${name}.jsonl`);
}

/** Publishes decided pairs and SFT rows to their topics (keyed by row id, so compaction keeps the latest). */
function publisherTo(log: EventLog) {
  return async (rows: readonly Assembled[]) => {
    const pairs: { value: PreferencePair }[] = [];
    const sft: { value: SftExample }[] = [];
    for (const a of rows) {
      if (a.kind === 'pair') pairs.push({ value: a.row });
      else if (a.kind === 'sft') sft.push({ value: a.row });
    }
    if (pairs.length) await log.append(topics.pairs, pairs);
    if (sft.length) await log.append(topics.sft, sft);
  };
}

/** The value of a renamed flag: the new name wins; the old one still works, with a warning on stderr. */
function renamed(values: Record<string, unknown>, name: string, old: string): string | undefined {
  const now = values[name] as string | undefined;
  const before = values[old] as string | undefined;
  if (before !== undefined) {
    process.stderr.write(`arboretum export: --${old} is deprecated, use --${name} (same meaning)\n`);
    if (now !== undefined && now !== before) {
      throw new ArboretumError('INVALID_INPUT', `--${name} ${now} and --${old} ${before} disagree`);
    }
  }
  return now ?? before;
}

/** `--strategy a,b`: the names, each non-empty. */
function strategyList(text: string): string[] {
  const names = text.split(',').map((s) => s.trim());
  if (names.some((n) => !n))
    throw new ArboretumError(
      'INVALID_INPUT',
      `--strategy ${JSON.stringify(text)}: give names separated by commas`,
    );
  return names;
}

export const command: Command = {
  name: 'export',
  summary: 'replay the log into SFT rows, preference pairs and other trainer formats',
  help,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        log: { type: 'string', default: DEFAULT_LOG },
        format: { type: 'string' },
        out: { type: 'string' },
        task: { type: 'string' },
        dataset: { type: 'string' },
        strategy: { type: 'string' },
        'min-turn': { type: 'string' },
        'max-turn': { type: 'string' },
        'min-turns': { type: 'string' },
        'max-turns': { type: 'string' },
        'system-prompt': { type: 'string', default: 'none' },
        context: { type: 'string' },
        tokenizer: { type: 'string' },
        seed: { type: 'string' },
        card: { type: 'boolean', default: false },
        license: { type: 'string' },
        language: { type: 'string', default: 'en' },
        follow: { type: 'boolean', default: false },
        order: { type: 'string', default: 'canonical' },
      },
      false,
    );
    if (!values.format)
      throw new ArboretumError(
        'INVALID_INPUT',
        `--format is required (${[...exportFormats.keys()].join(', ')}; several, comma-separated, in one pass)`,
      );
    const formats = formatsOf(values.format);
    if (!values.out)
      throw new ArboretumError(
        'INVALID_INPUT',
        '--out is required (a .jsonl or .parquet file, or - for stdout)',
      );
    const toStdout = values.out === '-';
    if (toStdout && formats.length > 1) {
      throw new ArboretumError(
        'INVALID_INPUT',
        `--out - takes one format; ${formats.length} were given (--format ${values.format}): give a folder or a path with {format}`,
      );
    }
    const outs = formats.map((f) => outOf(values.out!, f.name, formats.length > 1));
    if (!toStdout) for (const o of outs) outputKindOf(o);
    const minTurn = renamed(values, 'min-turn', 'min-turns');
    const maxTurn = renamed(values, 'max-turn', 'max-turns');
    const filter: RowFilterOptions = {
      task: values.task,
      dataset: values.dataset,
      minTurns: minTurn === undefined ? undefined : intFlag('min-turn', minTurn, 0),
      maxTurns: maxTurn === undefined ? undefined : intFlag('max-turn', maxTurn, 0),
      strategies: values.strategy === undefined ? undefined : strategyList(values.strategy),
    };
    if (filter.strategies && values.follow)
      throw new ArboretumError('INVALID_INPUT', '--strategy needs a one-shot export (not --follow)');
    if (values.order !== 'canonical' && values.order !== 'log') {
      throw new ArboretumError(
        'INVALID_INPUT',
        `--order ${JSON.stringify(values.order)} is not canonical or log`,
      );
    }
    const sp = values['system-prompt']!;
    const systemPrompt: SystemPromptOption = sp === 'none' || sp === 'actor' ? sp : { text: sp };
    for (const format of formats) {
      if (sp !== 'none' && !format.accepts.system) {
        throw new ArboretumError(
          'INVALID_INPUT',
          `--system-prompt: ${format.name} has no place for a system message (the public schema has no system column)`,
        );
      }
    }
    const context = values.context ?? 'instruction';
    if (context !== 'instruction' && context !== 'trajectory') {
      throw new ArboretumError(
        'INVALID_INPUT',
        `--context ${JSON.stringify(context)} is not instruction or trajectory`,
      );
    }
    for (const format of formats) {
      if (values.context !== undefined && !format.accepts.context) {
        throw new ArboretumError(
          'INVALID_INPUT',
          `--context applies to trl-sft, openai-sft and rm-pairs; ${format.name} ${format.kind === 'pair' ? 'always carries the trajectory so far' : 'keeps the public schema (instruction only)'}`,
        );
      }
    }
    if (values.card && values.license === undefined) {
      throw new ArboretumError(
        'INVALID_INPUT',
        '--card needs --license: a Hugging Face license id (apache-2.0, mit, cc-by-4.0 …) or unknown',
      );
    }
    if (values.card && toStdout) {
      throw new ArboretumError('INVALID_INPUT', '--card needs a folder: it cannot be combined with --out -');
    }
    const [format] = formats;
    if (values.follow) {
      if (formats.length > 1) {
        throw new ArboretumError(
          'INVALID_INPUT',
          `--follow writes one format; ${formats.length} were given (--format ${values.format})`,
        );
      }
      if (values.card) {
        throw new ArboretumError(
          'INVALID_INPUT',
          '--card needs a finished export; it cannot be combined with --follow',
        );
      }
      if (format.spread) {
        throw new ArboretumError(
          'INVALID_INPUT',
          `--follow appends rows as decided, so ${format.name}'s rows sharing a prompt would sit side by side (TRL's KL baseline needs them apart); export it without --follow`,
        );
      }
      if (sp !== 'none' || values.context !== undefined || values.tokenizer !== undefined || toStdout) {
        throw new ArboretumError(
          'INVALID_INPUT',
          '--follow writes the default layout to a file; --system-prompt, --context, --tokenizer and --out - need a one-shot export',
        );
      }
    }
    const seed = intFlag('seed', values.seed, 0);
    const tokens = createTokenCounter({ tokenizer: values.tokenizer });
    // --follow may start before anything is on the log; a one-shot export needs tree events.
    const log = values.follow ? await openLog(values.log!) : await openExistingLog(values.log!);
    try {
      if (!values.follow) {
        const scratch = toStdout ? await mkdtemp(join(tmpdir(), 'arboretum-export-')) : null;
        const targets = formats.map((f, i) => ({
          format: f,
          out: scratch ? join(scratch, `${f.name}.jsonl`) : outs[i],
          card: values.card,
        }));
        try {
          // Only --system-prompt actor reads the StrategySampled prompts (45% of the log's bytes): others skip them.
          const eventTopic = sp === 'actor' ? topics.treeEvents : treeEventsWithoutPrompts;
          const { events, outputs, labels } = await exportLog({
            events: log.read(eventTopic).pipe(map((r) => r.value)),
            targets,
            filter,
            order: values.order,
            systemPrompt,
            context,
            tokens,
            seed,
            cardInfo: { license: values.license, language: values.language },
          });
          if (events === 0) {
            throw new ArboretumError(
              'INVALID_INPUT',
              `--log ${values.log}: no tree events on this log, nothing to export`,
            );
          }
          const say = (line: string) => (toStdout ? process.stderr : process.stdout).write(`${line}\n`);
          // A card says when the rows were built past damage (--allow-damaged; without it the exit code says so).
          const damaged = damageLedger.summary();
          for (const o of outputs) {
            if (damaged && o.card) await appendFile(o.card, `\n> **Damaged log.** ${damaged}\n`);
            const spread =
              o.spread && Number.isFinite(o.spread.minGap)
                ? `; rows sharing a prompt are >= ${o.spread.minGap} apart (fine for per_device_train_batch_size <= ${o.spread.minGap})`
                : '';
            say(
              `${o.format}: ${o.rows} rows to ${toStdout ? 'stdout' : o.out} from ${events} events${o.card ? `; card ${o.card}` : ''}${spread}`,
            );
            if (sp === 'actor' && o.rows > 0 && o.rowsWithSystem === 0) {
              process.stderr.write(
                `arboretum export: warning: --system-prompt actor: the log has no system message in the prompts these rows' actions were sampled with, so ${o.format} has none\n`,
              );
            }
            const warning = lengthWarning(o.format, o.lengths);
            if (warning) process.stderr.write(`arboretum export: warning: ${warning}\n`);
            if (o.spread && o.spread.minGap < 8) {
              process.stderr.write(
                `arboretum export: warning: ${o.format}: only ${o.rows} rows; rows sharing a prompt are ${o.spread.minGap} apart, so per_device_train_batch_size above ${o.spread.minGap} gives some rows a KL completion of their own prompt\n`,
              );
            }
          }
          if (labels.graderVersions.length)
            say(
              `labels: newest verdicts, regraded with ${labels.graderVersions.join(', ')}; ${labels.changed} changed`,
            );
          if (scratch) await pipeline(createReadStream(targets[0].out), process.stdout, { end: false });
        } finally {
          if (scratch) await rm(scratch, { recursive: true, force: true });
        }
        return 0;
      }
      const publish = log.uri.startsWith('kafka://') ? publisherTo(log) : undefined;
      const progress = followExport({
        // --follow takes no --system-prompt: the prompts are never read.
        events: log.read(treeEventsWithoutPrompts, { follow: true }).pipe(map((r) => r.value)),
        format,
        out: values.out,
        filter,
        publish,
      });
      await new Promise<void>((resolve, reject) => {
        const sub = progress.subscribe({
          next: (p) => process.stderr.write(`\r${p.written} rows written, ${p.published} published`),
          error: reject,
          complete: resolve,
        });
        const stop = () => {
          sub.unsubscribe();
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      process.stderr.write('\n');
      return 0;
    } finally {
      await log.close();
    }
  },
};
