import { codecs, fromJson } from '../../schemas/codec.ts';
import { ArboretumError, messageOf } from '../../schemas/errors.ts';
import { adapters } from './adapters.ts';
import type { AdapterOptions } from './instructionAdapter.ts';
import { formatOf, readRows, type SourceFormat } from './readRows.ts';
import type { SourceItem } from './sourceItem.ts';

export interface ReadInstructionsOptions extends AdapterOptions {
  /** Adapter name (see adapters.ts); default 'canonical' (rows already in the Instruction shape). */
  readonly adapter?: string;
  /** Default from the file extension. */
  readonly format?: SourceFormat;
  readonly now?: () => number;
}

/**
 * Reads instructions from a file through an adapter. Every row comes out: as an instruction with its `file:line`, or
 * as a DeadLetter (topic 'instructions', source `file:line`, the row's bytes, the reason). Unknown adapters and
 * unreadable files throw INVALID_INPUT before any row.
 */
export async function* readInstructions(
  file: string,
  { adapter = 'canonical', format, now = Date.now, ...adapterOptions }: ReadInstructionsOptions = {},
): AsyncGenerator<SourceItem> {
  const adapt = adapters[adapter];
  if (!adapt) {
    throw new ArboretumError(
      'INVALID_INPUT',
      `unknown adapter ${JSON.stringify(adapter)}; known: ${Object.keys(adapters).join(', ')}`,
    );
  }
  const dead = (source: string, bytes: Buffer, reason: string): SourceItem => ({
    kind: 'deadLetter',
    deadLetter: {
      topic: 'instructions',
      partition: 0,
      offset: null,
      source,
      key: null,
      reason,
      payload: bytes,
      time: now(),
    },
  });
  for await (const row of readRows(file, format ?? formatOf(file))) {
    if (row.error !== undefined) {
      yield dead(row.source, row.bytes, `${row.source}: ${row.error}`);
      continue;
    }
    try {
      // The schema check catches adapters' slips as well as bad canonical rows.
      const instruction = fromJson(codecs.Instruction, adapt(row.value, adapterOptions));
      yield { kind: 'instruction', instruction, source: row.source };
    } catch (e) {
      yield dead(row.source, row.bytes, `${row.source}: ${messageOf(e)}`);
    }
  }
}
