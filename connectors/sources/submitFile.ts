import type { DeadLetter, Instruction } from '../../schemas/types.ts';
import type { EventLog } from '../log/eventLog.ts';
import { topics } from '../log/topics.ts';
import { readInstructions } from './readInstructions.ts';

const BATCH = 500;

/** Reads a file through an adapter and appends its instructions (and dead letters) to the log; returns the counts. */
export async function submitFile(
  log: EventLog,
  file: string,
  options: { adapter?: string; mathTask?: 'Math_CoT' | 'Math_PoT' } = {},
): Promise<{ instructions: number; deadLetters: readonly DeadLetter[] }> {
  let batch: { value: Instruction }[] = [];
  const dead: DeadLetter[] = [];
  let instructions = 0;
  const flush = async () => {
    if (!batch.length) return;
    await log.append(topics.instructions, batch);
    instructions += batch.length;
    batch = [];
  };
  for await (const item of readInstructions(file, options)) {
    if (item.kind === 'deadLetter') {
      dead.push(item.deadLetter);
      continue;
    }
    batch.push({ value: item.instruction });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  if (dead.length)
    await log.append(
      topics.deadLetters,
      dead.map((value) => ({ value })),
    );
  return { instructions, deadLetters: dead };
}
