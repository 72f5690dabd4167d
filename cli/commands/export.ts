import { appendFile } from 'node:fs/promises';
import { map } from 'rxjs';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import type { Assembled } from '../../pipelines/assemble/assembled.ts';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { exportLog } from '../../pipelines/export/exportLog.ts';
import { followExport } from '../../pipelines/export/followExport.ts';
import { outputKindOf } from '../../pipelines/export/outputKindOf.ts';
import type { RowFilterOptions } from '../../pipelines/export/rowFilter.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import type { PreferencePair, SftExample } from '../../schemas/types.ts';
import { DEFAULT_LOG, intFlag, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { damageLedger } from '../damageLedger.ts';
import { openLog } from '../openLog.ts';

const help = `arboretum export — replay the log into SFT rows, preference pairs and other trainer formats

Usage:
  arboretum export --format F --out PATH [--log URI] [--task T] [--dataset D] [--min-turns N] [--max-turns N]
                   [--card] [--order canonical|log] [--follow]

Formats:
${[...exportFormats.values()].map((f) => `  ${f.name.padEnd(20)} ${f.description}`).join('\n')}

  --out PATH        .jsonl or .parquet (Parquet written by DuckDB)
  --task T          keep rows of one task (Coding, Math_CoT, Math_PoT, Logic)
  --dataset D       keep rows of one source dataset
  --min-turns N     keep rows whose action is at turn >= N (1-based)
  --max-turns N     keep rows whose action is at turn <= N
  --card            also write a dataset card (README.md beside --out) with counts per task, dataset and turn
  --order O         canonical (default): sorted by tree id and row id, byte-identical on either backend and after
                    any replay; log: rows in the order they were decided, about twice as fast, identical only on
                    the same backend
  --follow          keep the export growing as rows are decided (JSONL only; Ctrl-C stops); on Kafka, pairs and
                    SFT rows are also published to the pairs and sft topics, keyed by row id (log compaction)
  --log URI         ${DEFAULT_LOG} (default) or kafka://host:port[,host:port]

A one-shot export is sorted by tree id and row id: the same log gives byte-identical files on either backend
and after any replay. Pairs are decided per turn as soon as the turn has a correct and an incorrect action (the
k-th correct with the k-th incorrect, so usually the first of each); SFT rows are all correct actions; rm-pairs are the paper's extra single-turn pairs.`;

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
        'min-turns': { type: 'string' },
        'max-turns': { type: 'string' },
        card: { type: 'boolean', default: false },
        follow: { type: 'boolean', default: false },
        order: { type: 'string', default: 'canonical' },
      },
      false,
    );
    if (!values.format)
      throw new ArboretumError(
        'INVALID_INPUT',
        `--format is required (${[...exportFormats.keys()].join(', ')})`,
      );
    const format = exportFormats.get(values.format);
    if (!format) {
      throw new ArboretumError(
        'INVALID_INPUT',
        `--format ${JSON.stringify(values.format)} is not one of ${[...exportFormats.keys()].join(', ')}`,
      );
    }
    if (!values.out)
      throw new ArboretumError('INVALID_INPUT', '--out is required (a .jsonl or .parquet file)');
    outputKindOf(values.out);
    const filter: RowFilterOptions = {
      task: values.task,
      dataset: values.dataset,
      minTurns: values['min-turns'] === undefined ? undefined : intFlag('min-turns', values['min-turns'], 0),
      maxTurns: values['max-turns'] === undefined ? undefined : intFlag('max-turns', values['max-turns'], 0),
    };
    if (values.order !== 'canonical' && values.order !== 'log') {
      throw new ArboretumError(
        'INVALID_INPUT',
        `--order ${JSON.stringify(values.order)} is not canonical or log`,
      );
    }
    if (values.follow && values.card) {
      throw new ArboretumError(
        'INVALID_INPUT',
        '--card needs a finished export; it cannot be combined with --follow',
      );
    }
    const log = await openLog(values.log!);
    try {
      if (!values.follow) {
        const { events, outputs } = await exportLog({
          events: log.read(topics.treeEvents).pipe(map((r) => r.value)),
          targets: [{ format, out: values.out, card: values.card }],
          filter,
          order: values.order,
        });
        // A card says when the rows were built past damage (--allow-damaged; without it the exit code says so).
        const damaged = damageLedger.summary();
        for (const o of outputs) {
          if (damaged && o.card) await appendFile(o.card, `\n> **Damaged log.** ${damaged}\n`);
          console.log(
            `${o.format}: ${o.rows} rows to ${o.out} from ${events} events${o.card ? `; card ${o.card}` : ''}`,
          );
        }
        return 0;
      }
      const publish = log.uri.startsWith('kafka://') ? publisherTo(log) : undefined;
      const progress = followExport({
        events: log.read(topics.treeEvents, { follow: true }).pipe(map((r) => r.value)),
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
