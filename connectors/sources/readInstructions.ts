import { codecs, fromJson } from '../../schemas/codec.ts';
import { ArboretumError, messageOf } from '../../schemas/errors.ts';
import { adapters } from './adapters.ts';
import { createRecordIndex } from './createRecordIndex.ts';
import type { AdapterOptions } from './instructionAdapter.ts';
import { formatOf, readRows, type SourceFormat } from './readRows.ts';
import { recordHash } from './recordHash.ts';
import type { SourceItem } from './sourceItem.ts';

export interface ReadInstructionsOptions extends AdapterOptions {
  /** Adapter name (see adapters.ts); default 'canonical' (rows already in the Instruction shape). */
  readonly adapter?: string;
  /** Default from the file extension. */
  readonly format?: SourceFormat;
  readonly now?: () => number;
  /** Dead-letter a row whose id an earlier row had with different content; default true. */
  readonly duplicates?: boolean;
}

/**
 * Reads instructions from a file through an adapter. Every row comes out: as an instruction with its `file:line` and
 * bytes, or as a DeadLetter (topic 'instructions', source `file:line`, the row's bytes untouched, the reason). Rows
 * that cannot be read (not JSON, invalid UTF-8 with its byte offset; see readRows) or not validated are dead
 * letters; so is a row whose id an earlier row of the file already had with different content (the reason names
 * both lines: the first one is the instruction, never silently). A repeat with the same content comes out again, as
 * an instruction (appenders skip it as already there). Unknown adapters and unreadable files throw INVALID_INPUT
 * before any row.
 */
export async function* readInstructions(
  file: string,
  {
    adapter = 'canonical',
    format,
    now = Date.now,
    duplicates = true,
    ...adapterOptions
  }: ReadInstructionsOptions = {},
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
      payload: Buffer.from(bytes), // a copy: row bytes may be a view into a large read buffer
      time: now(),
    },
  });
  const seen = createRecordIndex();
  for await (const row of readRows(file, format ?? formatOf(file))) {
    if (row.error !== undefined) {
      yield dead(row.source, row.bytes, `${row.source}: ${row.error}`);
      continue;
    }
    try {
      // The schema check catches adapters' slips as well as bad canonical rows.
      const instruction = fromJson(codecs.Instruction, adapt(row.value, adapterOptions));
      if (duplicates) {
        const hash = recordHash(codecs.Instruction, instruction);
        const first = seen.find(instruction.id, hash);
        if (first === undefined) seen.add(instruction.id, hash, { source: row.source });
        else if (!first.same) {
          const where = 'source' in first.place ? first.place.source : '';
          yield dead(
            row.source,
            row.bytes,
            `${row.source}: instruction id ${JSON.stringify(instruction.id)} conflicts with ${where}: ` +
              'same id, different content (the first one is kept)',
          );
          continue;
        }
      }
      yield { kind: 'instruction', instruction, source: row.source, bytes: row.bytes };
    } catch (e) {
      yield dead(row.source, row.bytes, `${row.source}: ${messageOf(e)}`);
    }
  }
}
