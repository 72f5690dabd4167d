import type { EventLog } from '../connectors/log/eventLog.ts';
import { topics } from '../connectors/log/topics.ts';
import type { TreeEvent } from '../schemas/types.ts';

export interface AppendConcurrentlyOptions {
  readonly log: EventLog;
  /** Events to cycle through: event i of the run is events[i % events.length]. */
  readonly events: readonly TreeEvent[];
  /** Events appended in all. */
  readonly total: number;
  /** Events per append call. */
  readonly batch: number;
  /** Appenders running at once, each taking the next batch when its append resolves. */
  readonly appenders: number;
}

/** Appends `total` tree events in batches from `appenders` concurrent loops: the benches' append load. */
export async function appendConcurrently({
  log,
  events,
  total,
  batch,
  appenders,
}: AppendConcurrentlyOptions) {
  let next = 0;
  const appender = async () => {
    while (next < total) {
      const from = next;
      next += batch;
      const records = [];
      for (let i = from; i < Math.min(from + batch, total); i++)
        records.push({ value: events[i % events.length] });
      await log.append(topics.treeEvents, records);
    }
  };
  await Promise.all(Array.from({ length: appenders }, appender));
}
