import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { lastValueFrom, map, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { exportLog } from '../../pipelines/export/exportLog.ts';
import { logArb } from '../assemble/randomTrees.ts';
import { deleteNamespace, freshNamespace, openTestLog } from '../kafka/kafkaTestLog.ts';

let dir: string;
let namespace: string;
let kafka: EventLog;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-export-kafka-'));
  namespace = freshNamespace();
  kafka = await openTestLog(namespace, { partitions: 3 });
});
afterAll(async () => {
  await kafka?.close();
  if (namespace) await deleteNamespace(namespace).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

async function exportAll(log: EventLog, sub: string): Promise<Map<string, Buffer>> {
  const targets = [...exportFormats.values()].map((format) => ({
    format,
    out: join(dir, sub, `${format.name}.jsonl`),
  }));
  await exportLog({ events: log.read(topics.treeEvents).pipe(map((r) => r.value)), targets });
  const files = new Map<string, Buffer>();
  for (const t of targets) files.set(t.format.name, await readFile(t.out));
  return files;
}

describe('export on either backend', () => {
  it('the same events on Kafka (3 partitions, trees interleaved differently) and in the file log give the same bytes', async () => {
    const { log: events } = fc.sample(logArb, { numRuns: 1, seed: 7 })[0];
    // A larger log of many trees, so that the partitions really interleave them.
    const many = fc
      .sample(logArb, { numRuns: 30, seed: 11 })
      .flatMap((s, i) =>
        s.log.map((e) => ({ ...e, treeId: `${e.treeId.slice(0, 60)}${String(i).padStart(4, '0')}` })),
      );
    const all = [...events, ...many];
    const file = createFileEventLog({ dir: join(dir, 'log'), fsync: 'never', onRecovered: () => {} });
    try {
      await file.append(
        topics.treeEvents,
        all.map((value) => ({ value })),
      );
      await kafka.append(
        topics.treeEvents,
        all.map((value) => ({ value })),
      );
      const read = await lastValueFrom(kafka.read(topics.treeEvents).pipe(toArray()));
      expect(new Set(read.map((r) => r.partition)).size).toBeGreaterThan(1);
      const fromFile = await exportAll(file, 'file');
      const fromKafka = await exportAll(kafka, 'kafka');
      for (const [name, bytes] of fromFile) {
        expect(fromKafka.get(name)!.equals(bytes), name).toBe(true);
      }
      expect(fromFile.get('ultrainteract-sft')!.length).toBeGreaterThan(0);
    } finally {
      await file.close();
    }
  });
});
