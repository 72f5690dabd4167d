import type { EventLog } from '../../connectors/log/eventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import type { DeadLetter, TreeEvent } from '../../schemas/types.ts';
import { ultrainteractGroups } from './ultrainteractGroups.ts';
import type { ImportProblem } from './ultrainteractRows.ts';
import { ultrainteractTreeEvents } from './ultrainteractTreeEvents.ts';

export interface ImportUltraInteractOptions {
  readonly log: EventLog;
  readonly pairFiles?: readonly string[];
  readonly sftFiles?: readonly string[];
  /** Told each row that could not be imported (it also goes to the dead-letters topic). */
  readonly onProblem?: (problem: ImportProblem) => void;
  /** Events per append; default 5000. */
  readonly batchEvents?: number;
  /** Writer id on the events; default 'import'. */
  readonly writer?: string;
}

export interface ImportSummary {
  readonly trees: number;
  readonly events: number;
  readonly rows: number;
  readonly problems: number;
}

/**
 * Appends public UltraInteract rows (pairs and/or SFT, JSONL or Parquet) to the log as closed trees, one per
 * parent_id, so they can be analysed and re-exported. Deterministic: importing the same files again gives the same
 * event ids, which readers drop as repeats. Rows that cannot be imported become dead letters naming file and line.
 * Instructions are not appended to the instructions topic (the trees are closed; nothing is left to grow).
 */
export async function importUltraInteract(options: ImportUltraInteractOptions): Promise<ImportSummary> {
  const { log, pairFiles, sftFiles, onProblem = () => {}, batchEvents = 5000, writer = 'import' } = options;
  const dead: DeadLetter[] = [];
  const problem = (p: ImportProblem) => {
    onProblem(p);
    dead.push({
      topic: 'import:ultrainteract',
      partition: 0,
      offset: null,
      source: p.source,
      key: null,
      reason: p.reason,
      payload: Buffer.from(p.raw ?? ''),
      time: Date.now(),
    });
  };
  let batch: { value: TreeEvent }[] = [];
  let trees = 0;
  let events = 0;
  let rows = 0;
  let problems = 0;
  const flush = async () => {
    if (batch.length) await log.append(topics.treeEvents, batch);
    batch = [];
    if (dead.length)
      await log.append(
        topics.deadLetters,
        dead.splice(0).map((value) => ({ value })),
      );
  };
  const counted = (p: ImportProblem) => {
    problems++;
    problem(p);
  };
  for await (const group of ultrainteractGroups({ pairFiles, sftFiles, onProblem: counted })) {
    rows += group.pairs.length + group.sft.length;
    const raw = new Map([...group.pairs, ...group.sft].map((l) => [l.source, l.raw]));
    const built = ultrainteractTreeEvents(group, { writer });
    for (const p of built.problems) counted({ ...p, raw: raw.get(p.source) });
    if (!built.events.length) continue;
    trees++;
    events += built.events.length;
    for (const value of built.events) batch.push({ value });
    if (batch.length >= batchEvents) await flush();
  }
  await flush();
  return { trees, events, rows, problems };
}
