import { randomBytes } from 'node:crypto';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckReport, LogDamage } from '../eventLog.ts';
import { formatDamage } from '../formatDamage.ts';
import type { Topic } from '../topics.ts';
import { encodeBlock, encodeHeader } from './avroContainer.ts';
import { type LogEntry, logEntryType } from './logEntryType.ts';
import {
  type ManifestGap,
  type ManifestSegment,
  readManifest,
  schemaFingerprint,
  writeManifest,
} from './manifest.ts';
import { quarantine } from './quarantine.ts';
import { type SegmentScan, scanTopic } from './scanTopic.ts';
import { sealBlock, sealRecord } from './sealRecords.ts';
import { listSegments, segmentName } from './segments.ts';
import { TopicWriter } from './topicWriter.ts';
import { acquireLock } from './writerLock.ts';

type TopicCheckReport = CheckReport['topics'][number];

/** One topic's line of the port's CheckReport, and whether that topic alone is sound. */
export interface TopicCheck extends TopicCheckReport {
  readonly ok: boolean;
}

interface Found {
  records: number;
  damage: LogDamage[];
  segments: SegmentScan[];
}

async function scanAll(dir: string, topic: Topic<unknown>): Promise<Found> {
  const found: Found = { records: 0, damage: [], segments: [] };
  await scanTopic({
    dir,
    topic,
    onEntry: () => {
      found.records++;
    },
    onDamage: (d) => found.damage.push(d),
    onSegment: (s) => found.segments.push(s),
  });
  return found;
}

/**
 * Verifies every record of a topic folder and finds every damaged or missing region. With repair: each damaged
 * segment's verified records are rewritten to a new segment of the same name (the original moved to quarantine
 * with a report), the offsets lost are recorded in the manifest (so reads stop reporting them), and a writer is
 * opened once, which cuts a provably torn tail (kept in quarantine) and proves the topic writable.
 */
export async function checkTopic(options: {
  topic: Topic<unknown>;
  dir: string;
  repair: boolean;
  onRecovered?: (message: string) => void;
}): Promise<TopicCheck> {
  const { topic, dir, repair, onRecovered } = options;
  const first = await scanAll(dir, topic);
  const problems = first.damage.map(formatDamage);
  const notes: string[] = [];
  const torn = first.segments.find((s) => s.last && s.torn);
  if (torn?.torn)
    problems.push(
      `${torn.path}: torn tail of ${torn.torn.fileBytes - torn.torn.start} bytes at byte ${torn.torn.start} (a crash mid-append; a writer cuts it)`,
    );
  const unchecked = first.segments.filter((s) => !s.checked && !s.badHeader);
  if (unchecked.length)
    notes.push(
      `${unchecked.length} segment(s) written before record checksums (${unchecked.map((s) => segmentName(s.base)).join(', ')}): structure verified, contents cannot be`,
    );
  const { manifest } = await readManifest(dir);
  for (const g of manifest?.gaps ?? [])
    notes.push(
      `offsets ${g.from}..${g.until - 1} were given up by an earlier repair (${g.reason}; bytes in ${g.quarantine})`,
    );
  if (!manifest && first.segments.length)
    notes.push(
      'no manifest.json (a log from before it): a missing last segment cannot be noticed until a writer writes one',
    );
  if (!repair || (!problems.length && manifest))
    return {
      topic: topic.name,
      ok: problems.length === 0,
      records: first.records,
      problems,
      damage: first.damage,
      repaired: [],
      notes,
    };

  const repaired: string[] = [];
  const release = acquireLock(join(dir, '.lock'), `topic ${topic.name} (${dir})`);
  try {
    const { type, schema } = logEntryType(topic, { written: true });
    const gaps: ManifestGap[] = [];
    const segments = await listSegments(dir);
    for (const s of first.segments) {
      if (!s.damaged) continue;
      const nextBase = segments.find((x) => x.base > s.base)?.base;
      const mine = first.damage.filter((d) => d.file === s.path);
      // The verified records of this segment, in offset order, each once.
      const entries: LogEntry[] = [];
      await scanTopic({
        dir,
        topic,
        from: s.base,
        only: s.base,
        onEntry: (e) => entries.push(e),
        onDamage: () => {},
      });
      const tmp = join(dir, `${segmentName(s.base)}.repair.tmp`);
      const sync = randomBytes(16);
      const header = encodeHeader(schema, sync, {
        'arboretum.topic': topic.name,
        'arboretum.baseOffset': String(s.base),
        'arboretum.repairedFrom': segmentName(s.base),
      });
      const fh = await open(tmp, 'w');
      let pos = 0;
      await fh.write(header, 0, header.length, pos);
      pos += header.length;
      for (let i = 0; i < entries.length; i += 1000) {
        const chunk = entries.slice(i, i + 1000).map((e) => {
          const b = Buffer.concat([type.toBuffer({ ...e, crc: 0, blockCrc: 0 }), Buffer.alloc(4)]);
          return b.subarray(0, sealRecord(b, 0, b.length - 4));
        });
        const block = encodeBlock(chunk.length, sealBlock(Buffer.concat(chunk), chunk[0].length), sync);
        await fh.write(block, 0, block.length, pos);
        pos += block.length;
      }
      await fh.datasync();
      await fh.close();
      const report = [
        `${s.path}: quarantined by arboretum log check --repair; its ${entries.length} verified records were rewritten to a new ${segmentName(s.base)}.`,
        ...mine.map((d) => `  ${formatDamage(d)}`),
      ].join('\n');
      const kept = await quarantine(dir, s.path, report);
      await rename(tmp, s.path);
      // Offsets of this segment that no verified record holds are given up, and recorded as such.
      const lastVerified = entries.at(-1)?.offset;
      const upper =
        nextBase ??
        Math.max(
          (lastVerified ?? s.base - 1) + 1,
          s.nextOffset +
            Math.ceil(
              mine.filter((d) => d.lost?.until === undefined).reduce((n, d) => n + (d.bytes ?? 0), 0) / 8,
            ),
        );
      let expect = s.base;
      for (const e of [...entries.map((x) => x.offset), upper]) {
        if (e > expect)
          gaps.push({ from: expect, until: e, reason: `damaged ${segmentName(s.base)}`, quarantine: kept });
        expect = e + 1;
      }
      repaired.push(
        `${s.path}: ${entries.length} verified records rewritten, original kept in ${join(dir, kept)}`,
      );
    }
    // Gaps between segments (missing files) are given up too, once reported here.
    for (const d of first.damage)
      if (!first.segments.some((s) => s.path === d.file) && d.lost?.until !== undefined) {
        gaps.push({ from: d.lost.from, until: d.lost.until, reason: d.reason, quarantine: '' });
        repaired.push(`${d.file}: offsets ${d.lost.from}..${d.lost.until - 1} recorded as lost`);
      }
    const { manifest: now } = await readManifest(dir);
    const rebuilt: ManifestSegment[] = [];
    for (const seg of await listSegments(dir)) {
      const head = Buffer.alloc(1 << 20);
      const h = await open(seg.path, 'r');
      const { bytesRead } = await h.read(head, 0, head.length, 0);
      await h.close();
      const { parseHeader } = await import('./avroContainer.ts');
      try {
        const parsed = parseHeader(head.subarray(0, bytesRead));
        if (parsed)
          rebuilt.push({
            base: seg.base,
            sync: parsed.sync.toString('hex'),
            headerBytes: parsed.length,
            schema: schemaFingerprint(parsed.schema),
          });
      } catch {
        const old = now?.segments.find((m) => m.base === seg.base);
        if (old) rebuilt.push(old);
      }
    }
    const listedAfter = (now?.segments ?? []).filter((m) => m.base > (rebuilt.at(-1)?.base ?? -1));
    await writeManifest(dir, {
      version: 1,
      segments: [...rebuilt, ...listedAfter],
      gaps: [...(now?.gaps ?? []), ...gaps],
    });
  } finally {
    release();
  }
  // A writer cuts a provably torn tail and proves the topic writable (it throws, naming the file, if not).
  try {
    const writer = await TopicWriter.open({
      dir,
      topic,
      fsync: 'always',
      segmentBytes: 128 << 20,
      onRecovered: (m) => {
        repaired.push(m);
        onRecovered?.(m);
      },
    });
    await writer.close();
  } catch (e) {
    problems.push(`not writable after repair: ${(e as Error).message}`);
  }
  const after = await scanAll(dir, topic);
  const left = after.damage.map(formatDamage);
  const tornLeft = after.segments.find((s) => s.last && s.torn && s.torn.start > 0);
  if (tornLeft) left.push(`${tornLeft.path}: torn tail remains`);
  for (const l of left) problems.push(`still: ${l}`);
  return {
    topic: topic.name,
    ok: left.length === 0 && !problems.some((p) => p.startsWith('not writable')),
    records: after.records,
    problems,
    damage: first.damage,
    repaired,
    notes,
  };
}
