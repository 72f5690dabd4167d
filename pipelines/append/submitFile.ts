import type { EventLog } from '../../connectors/log/eventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { type ReadInstructionsOptions, readInstructions } from '../../connectors/sources/readInstructions.ts';
import type { Instruction } from '../../schemas/types.ts';
import { type AppendItem, type AppendSummary, appendIdempotent } from './appendIdempotent.ts';

async function* items(
  file: string,
  options: ReadInstructionsOptions,
): AsyncGenerator<AppendItem<Instruction>> {
  // The appender tells conflicting repeats apart itself (against the log too), so the reader need not.
  for await (const item of readInstructions(file, { ...options, duplicates: false })) {
    if (item.kind === 'deadLetter') yield item;
    else yield { kind: 'record', value: item.instruction, source: item.source, bytes: item.bytes };
  }
}

/**
 * Reads a file through an adapter and appends its instructions (and dead letters) to the log, keyed by id so that
 * submitting it again appends only what is missing (see appendIdempotent); returns the counts.
 */
export function submitFile(
  log: EventLog,
  file: string,
  options: Pick<ReadInstructionsOptions, 'adapter' | 'mathTask' | 'now'> = {},
): Promise<AppendSummary> {
  return appendIdempotent({
    log,
    topic: topics.instructions,
    items: items(file, options),
    batch: 500,
    now: options.now,
  });
}
