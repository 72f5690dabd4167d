import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { bufferTime, concatMap, defer, filter, finalize, type Observable } from 'rxjs';
import { ArboretumError } from '../../schemas/errors.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { assemble } from '../assemble/assemble.ts';
import type { Assembled } from '../assemble/assembled.ts';
import type { ExportFormat } from './exportFormat.ts';
import { outputKindOf } from './outputKindOf.ts';
import { type RowFilterOptions, rowFilter } from './rowFilter.ts';

export interface FollowExportOptions {
  /** Tree events from the start of the log, following its tail (they need not complete). */
  readonly events: Observable<TreeEvent>;
  readonly format: ExportFormat;
  /** A `.jsonl` file, truncated at start and grown as rows are decided. */
  readonly out: string;
  readonly filter?: RowFilterOptions;
  /** Told every decided row (unfiltered), a batch at a time, after the batch is written; e.g. publish to topics. */
  readonly publish?: (rows: readonly Assembled[]) => Promise<void>;
  /** How long rows gather before a write, in ms; default 200. */
  readonly flushMs?: number;
  /** Most rows a write; default 2000. */
  readonly maxBatch?: number;
}

export interface FollowProgress {
  /** Records written so far. */
  readonly written: number;
  /** Rows handed to `publish` so far. */
  readonly published: number;
}

const write = (out: WriteStream, text: string) =>
  new Promise<void>((resolve, reject) => out.write(text, (e) => (e ? reject(e) : resolve())));

/**
 * Keeps a JSONL export growing as pairs and SFT rows are decided: rows are appended in decision order (not the
 * canonical order of a one-shot export, which needs the whole log), a batch every `flushMs`. Emits progress after
 * each batch; completes when the events do; unsubscribing stops it and closes the file.
 */
export function followExport(options: FollowExportOptions): Observable<FollowProgress> {
  const { events, format, out, publish, flushMs = 200, maxBatch = 2000 } = options;
  if (outputKindOf(out) !== 'jsonl') {
    throw new ArboretumError(
      'INVALID_INPUT',
      `--follow writes JSONL only; ${JSON.stringify(out)} is Parquet`,
      { context: { file: out } },
    );
  }
  const keep = rowFilter(options.filter);
  return defer(() => {
    mkdirSync(dirname(out) || '.', { recursive: true });
    const file = createWriteStream(out, { flags: 'w' });
    // A failed write rejects in write(); the stream's own 'error' event must not crash the process as well.
    file.on('error', () => {});
    let written = 0;
    let published = 0;
    return events.pipe(
      assemble(),
      bufferTime(flushMs, null, maxBatch),
      filter((batch) => batch.length > 0),
      concatMap(async (batch) => {
        const lines: string[] = [];
        for (const a of batch) {
          if (a.kind !== format.kind || !keep(a)) continue;
          for (const line of format.lines(a.row)) lines.push(line);
        }
        if (lines.length) await write(file, `${lines.join('\n')}\n`);
        written += lines.length;
        if (publish) {
          await publish(batch);
          published += batch.length;
        }
        return { written, published };
      }),
      finalize(() => file.end()),
    );
  });
}
