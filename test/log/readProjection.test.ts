import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, map, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogDamage } from '../../connectors/log/eventLog.ts';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { logEntryType } from '../../connectors/log/file/logEntryType.ts';
import { recordOfMessage } from '../../connectors/log/kafka/recordOfMessage.ts';
import type { Topic } from '../../connectors/log/topics.ts';
import { topics } from '../../connectors/log/topics.ts';
import { treeEventsWithoutPrompts } from '../../connectors/log/treeEventsWithoutPrompts.ts';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { exportLog } from '../../pipelines/export/exportLog.ts';
import { syntheticTreeEvents } from '../../pipelines/synthetic/syntheticTrees.ts';
import { codecs, projectCodec } from '../../schemas/codec.ts';
import type { TreeEvent } from '../../schemas/types.ts';

let dir: string;
let logDir: string;
const events = [...syntheticTreeEvents({ trees: 40, seed: 5, actionBytes: [40, 400] })];

/** JSON with sorted keys: the narrow read appends the dropped field, so key order differs. */
const canonical = (v: unknown): string =>
  v && typeof v === 'object'
    ? Array.isArray(v)
      ? `[${v.map(canonical).join(',')}]`
      : `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
          .join(',')}}`
    : JSON.stringify(v);

/** What the narrow read must give for an event: the same, with StrategySampled.prompt as its default []. */
const withoutPrompt = (e: TreeEvent): TreeEvent =>
  e.payload.kind === 'StrategySampled' ? { ...e, payload: { ...e.payload, prompt: [] } } : e;

const open = (at = logDir) => createFileEventLog({ dir: at, fsync: 'never', onRecovered: () => {} });

async function readAll(topic: Topic<TreeEvent>, at = logDir) {
  const log = open(at);
  const damage: LogDamage[] = [];
  try {
    const values = await lastValueFrom(
      log.read(topic, { onDamage: (d) => damage.push(d) }).pipe(
        map((r) => r.value),
        toArray(),
      ),
    );
    return { values, damage };
  } finally {
    await log.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-read-projection-'));
  logDir = join(dir, 'log');
  // Small segments: several of them, so one header can be damaged while the others stay sound.
  const log = createFileEventLog({
    dir: logDir,
    fsync: 'never',
    segmentBytes: 64 << 10,
    onRecovered: () => {},
  });
  await log.append(
    topics.treeEvents,
    events.map((value) => ({ value })),
  );
  await log.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tree events read without prompts (a read projection)', () => {
  it('gives the same events with StrategySampled.prompt as [], whichever topic was read first', async () => {
    const prompts = events.filter((e) => e.payload.kind === 'StrategySampled' && e.payload.prompt.length);
    expect(prompts.length).toBeGreaterThan(50);
    // Full first, then narrow, then full: the file log's caches must tell the two apart (same topic name).
    const full = await readAll(topics.treeEvents);
    const narrow = await readAll(treeEventsWithoutPrompts);
    const again = await readAll(topics.treeEvents);
    expect(full.values.map(canonical)).toEqual(events.map(canonical));
    expect(again.values.map(canonical)).toEqual(events.map(canonical));
    expect(narrow.values.map(canonical)).toEqual(events.map(withoutPrompt).map(canonical));
    expect(full.damage).toEqual([]);
    expect(narrow.damage).toEqual([]);
    // The segment type the narrow read decodes with lacks the prompt (its bytes are skipped, not decoded); what it
    // compares with segments' headers and the manifest is the written one.
    const narrowType = logEntryType(treeEventsWithoutPrompts);
    const fullType = logEntryType(topics.treeEvents);
    expect(JSON.stringify(fullType.schema)).toContain('"prompt"');
    expect(JSON.stringify(narrowType.schema)).not.toContain('"prompt"');
    expect(logEntryType(treeEventsWithoutPrompts, { written: true })).toBe(fullType);
  });

  it('a segment with a damaged header still reads with the narrow reader (the manifest names its writer schema)', async () => {
    const damagedDir = join(dir, 'damaged');
    const log = createFileEventLog({
      dir: damagedDir,
      fsync: 'never',
      segmentBytes: 64 << 10,
      onRecovered: () => {},
    });
    // Segments roll between appends: several appends, several segments.
    for (let i = 0; i < events.length; i += 100)
      await log.append(
        topics.treeEvents,
        events.slice(i, i + 100).map((value) => ({ value })),
      );
    await log.close();
    const topicDir = join(damagedDir, 'tree-events');
    const files = readdirSync(topicDir)
      .filter((f) => f.endsWith('.avro'))
      .sort();
    expect(files.length).toBeGreaterThan(2);
    const victim = join(topicDir, files[1]);
    const bytes = readFileSync(victim);
    const at = bytes.indexOf('"offset"');
    bytes[at + 2] ^= 0x04; // the header's schema now names a field "ofdset": the header does not verify
    writeFileSync(victim, bytes);
    for (const [topic, expected] of [
      [treeEventsWithoutPrompts, events.map(withoutPrompt)],
      [topics.treeEvents, events],
    ] as const) {
      const { values, damage } = await readAll(topic, damagedDir);
      // Every record is served (they verify by their own checksums); the header is reported, no record lost.
      expect(values.map(canonical)).toEqual(expected.map(canonical));
      expect(damage).toHaveLength(1);
      expect(damage[0]).toMatchObject({ file: victim, byteOffset: 0 });
      expect(damage[0].reason).toMatch(/header does not verify.*blocks read with the sync marker/);
      expect(damage[0].lost).toBeUndefined();
    }
  });

  it('cannot be written to: append fails and writes nothing', async () => {
    const log = open();
    try {
      await expect(log.append(treeEventsWithoutPrompts, [{ value: events[0] }])).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/read projection .*StrategySampled\.prompt.* cannot write/),
      });
      expect((await log.endOffsets(topics.treeEvents)).get(0)).toBe(events.length);
    } finally {
      await log.close();
    }
  });

  it('decodes single-object bytes (the Kafka backend decodes through the codec) minus the prompt', () => {
    const codec = treeEventsWithoutPrompts.codec;
    for (const e of events.slice(0, 200)) {
      const bytes = codecs.TreeEvent.encode(e);
      expect(canonical(codec.decode(Buffer.from(bytes)))).toBe(canonical(withoutPrompt(e)));
    }
    expect(() => codec.encode(events[0])).toThrow(/cannot write/);
  });

  it("is what the Kafka backend's decoding of a fetched message gives through it", () => {
    for (const [i, e] of events.slice(0, 50).entries()) {
      const message = {
        offset: i,
        timestamp: 1_700_000_000_000 + i,
        key: Buffer.from(e.treeId),
        value: Buffer.from(codecs.TreeEvent.encode(e)),
      };
      const { record, deadLetter } = recordOfMessage(treeEventsWithoutPrompts, 2, message);
      expect(deadLetter).toBeUndefined();
      expect(record).toMatchObject({ topic: 'tree-events', partition: 2, offset: i, key: e.treeId });
      expect(canonical(record!.value)).toBe(canonical(withoutPrompt(e)));
    }
    // A value the projection cannot decode is a dead letter naming where it was, as through the full topic.
    const bad = {
      offset: 7,
      timestamp: 0,
      key: null,
      value: Buffer.from([0xc3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
    };
    expect(recordOfMessage(treeEventsWithoutPrompts, 0, bad).deadLetter?.reason).toMatch(
      /tree-events partition 0 offset 7: TreeEvent: unknown writer schema fingerprint/,
    );
  });

  it('names a dropped field that does not exist or has no default', () => {
    expect(() => projectCodec(codecs.TreeEvent, { StrategySampled: ['promt'] })).toThrow(
      /no field StrategySampled\.promt/,
    );
    expect(() => projectCodec(codecs.TreeEvent, { StrategySampled: ['nodeId'] })).toThrow(
      /StrategySampled\.nodeId has no default/,
    );
  });
});

describe('export read without prompts', () => {
  it('writes every format byte for byte as the full read does', async () => {
    const outputs: Record<string, string>[] = [];
    for (const [name, topic] of [
      ['full', topics.treeEvents],
      ['narrow', treeEventsWithoutPrompts],
    ] as const) {
      const log = open();
      const out = join(dir, `export-${name}`);
      const formats = [...exportFormats.values()];
      try {
        const result = await exportLog({
          events: log.read(topic).pipe(map((r) => r.value)),
          targets: formats.map((format) => ({ format, out: join(out, `${format.name}.jsonl`) })),
        });
        expect(result.events).toBe(events.length);
      } finally {
        await log.close();
      }
      const files: Record<string, string> = {};
      for (const f of formats) files[f.name] = await readFile(join(out, `${f.name}.jsonl`), 'utf8');
      outputs.push(files);
    }
    expect(Object.values(outputs[0]).every((text) => text.length > 0)).toBe(true);
    expect(outputs[1]).toEqual(outputs[0]);
  });
});
