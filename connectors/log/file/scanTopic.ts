import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogDamage } from '../eventLog.ts';
import type { Topic } from '../topics.ts';
import { type LogEntry, logEntryType } from './logEntryType.ts';
import { MANIFEST, readManifest, schemaFingerprint } from './manifest.ts';
import { type HeaderFallback, SegmentReader } from './segmentReader.ts';
import { listSegments, type SegmentFile, segmentName } from './segments.ts';

const LAZY = { lazy: true } as const;

/** What a scan learnt about one segment (check and repair use it). */
export interface SegmentScan {
  readonly path: string;
  readonly base: number;
  readonly last: boolean;
  /** Records carry checksums (false: written before them; structure verified only). */
  readonly checked: boolean;
  readonly records: number;
  /** Damage found in this file (missing neighbours are reported on the file after the gap). */
  readonly damaged: boolean;
  /** Last segment only: a provably torn tail (crash mid-append): bytes [start, fileBytes). */
  readonly torn?: { readonly start: number; readonly fileBytes: number };
  /** Byte just after the last verified block (where a writer may go on appending). */
  readonly verifiedEnd: number;
  /** Offset after the last verified record in this segment (or its base). */
  readonly nextOffset: number;
  /** The header did not verify (the manifest's record of it may still have let its blocks be read). */
  readonly badHeader: boolean;
}

export interface ScanTopicOptions {
  readonly dir: string;
  readonly topic: Topic<unknown>;
  /** First offset wanted (default 0); damage wholly before it is not reported. */
  readonly from?: number;
  /** Wait for new records at the end (default false: stop at the end of what the files held on start). */
  readonly follow?: boolean;
  readonly pollMs?: number;
  readonly isStopped?: () => boolean;
  /** Each verified record at or after `from`, in offset order, once. */
  readonly onEntry: (entry: LogEntry) => void;
  /** Each damaged or missing region, after the records before it. */
  readonly onDamage: (damage: LogDamage) => void;
  readonly onSegment?: (segment: SegmentScan) => void;
  /** Stop after the segment with this base offset (repair reads one segment). */
  readonly only?: number;
}

type Pending = Omit<LogDamage, 'topic' | 'partition' | 'lost'>;

/**
 * Reads a topic folder's segments in order, serving verified records and reporting every region it cannot
 * verify or does not find: damaged blocks and headers, torn segments that are not last, gaps between segments,
 * segments the manifest lists that are missing. Offsets lost are known when the next verified record (or the
 * next segment's base offset) is reached, so a damage is reported then. Reads never write.
 */
export async function scanTopic(options: ScanTopicOptions): Promise<void> {
  const { dir, topic, from = 0, follow = false, pollMs = 50, isStopped = () => false, onEntry } = options;
  // Read with the topic's type (narrower for a read projection); the manifest records the written schema.
  const { type } = logEntryType(topic);
  const { schema } = logEntryType(topic, { written: true });
  const fingerprint = schemaFingerprint(schema);
  let { manifest, problem } = await readManifest(dir);
  const damage = (d: Omit<LogDamage, 'topic' | 'partition'>) =>
    options.onDamage({ topic: topic.name, partition: 0, ...d });
  if (problem) damage({ file: join(dir, MANIFEST), reason: problem });

  /** Offset after the last verified record seen (served or before `from`); undefined before the first. */
  let seen: number | undefined;
  let pending: Pending[] = [];
  /** A damage with an unknown end was reported from this offset (follow): do not report the gap again. */
  let openEndedFrom: number | undefined;

  const acknowledged = (lo: number, hi: number) =>
    (manifest?.gaps ?? []).some((g) => g.from <= lo && g.until >= hi);

  /** Settles pending damage and gaps on reaching offset `o` (a verified record, or a segment's base). */
  const reach = (o: number, file: string, byte: number | undefined, gapReason: string) => {
    const lo = Math.max(seen ?? 0, from);
    const lost = o > lo ? { from: lo, until: o } : undefined;
    if (pending.length) {
      // Damage wholly before the wanted range (the block that holds `from`) is not this read's business.
      if (o > from || (seen ?? 0) >= from) for (const p of pending) damage({ ...p, lost });
      pending = [];
    } else if (lost && openEndedFrom === undefined && !acknowledged(lost.from, lost.until)) {
      damage({ file, byteOffset: byte, reason: gapReason, lost });
    }
    openEndedFrom = undefined;
  };

  /** Pending damage at the end of what there is: its end is not known. */
  const settleOpen = () => {
    if (!pending.length) return;
    const lo = Math.max(seen ?? 0, from);
    for (const p of pending) damage({ ...p, lost: { from: lo } });
    pending = [];
    openEndedFrom = lo;
  };

  const fallbackOf = (base: number): HeaderFallback | undefined => {
    const s = manifest?.segments.find((m) => m.base === base);
    if (!s || s.schema !== fingerprint) return undefined;
    return { sync: Buffer.from(s.sync, 'hex'), headerBytes: s.headerBytes, schema };
  };

  // Non-follow reads stop at the end of what the files held when the read started.
  const snapshot = follow ? undefined : await snapshotOf(dir);

  let segments = snapshot?.segments ?? (await listSegments(dir));
  let index = Math.max(
    0,
    segments.findLastIndex((s) => s.base <= from),
  );
  if (!segments.length || segments[0].base > from) seen = 0;
  else seen = segments[index].base;
  let duplicateRun: { file: string; byte: number; first: number; last: number } | undefined;
  const flushDuplicates = () => {
    if (!duplicateRun) return;
    damage({
      file: duplicateRun.file,
      byteOffset: duplicateRun.byte,
      reason: `records with offsets ${duplicateRun.first}..${duplicateRun.last} again, out of order (a duplicated or misnamed segment?): not served`,
    });
    duplicateRun = undefined;
  };

  for (;;) {
    if (isStopped()) return;
    const segment: SegmentFile | undefined =
      options.only !== undefined && segments[index - 1]?.base === options.only ? undefined : segments[index];
    if (!segment) {
      if (!follow) break;
      await sleep(pollMs);
      segments = await listSegments(dir);
      ({ manifest } = await readManifest(dir));
      continue;
    }
    const isLast = () => index === segments.length - 1;
    if (seen !== undefined && segment.base > seen) {
      const listed = manifest?.segments.filter((m) => m.base >= seen! && m.base < segment.base) ?? [];
      const missing = listed.filter((m) => !segments.some((s) => s.base === m.base));
      reach(
        segment.base,
        missing.length ? join(dir, segmentName(missing[0].base)) : join(dir, segmentName(seen)),
        undefined,
        missing.length
          ? `segment ${segmentName(missing[0].base)} listed in ${MANIFEST} is missing`
          : `no segment holds offsets ${seen}..${segment.base - 1} (a segment is missing or cut short)`,
      );
      seen = segment.base;
    }
    const opened = await SegmentReader.open(segment.path, type, fallbackOf(segment.base)).catch(
      (e: Error) => ({
        kind: 'badHeader' as const,
        reason: e.message,
        fileBytes: 0,
        headerBytes: 0,
        reader: undefined,
      }),
    );
    if (opened.kind === 'incomplete') {
      if (isLast()) {
        // A segment being created, or torn while created: nothing of it was ever committed.
        options.onSegment?.({
          path: segment.path,
          base: segment.base,
          last: true,
          checked: true,
          records: 0,
          damaged: false,
          torn: { start: 0, fileBytes: opened.fileBytes },
          verifiedEnd: 0,
          nextOffset: segment.base,
          badHeader: false,
        });
        if (!follow) break;
        await sleep(pollMs);
        segments = await listSegments(dir);
        continue;
      }
      pending.push({
        file: segment.path,
        byteOffset: 0,
        bytes: opened.fileBytes,
        reason: 'header cut short',
      });
      options.onSegment?.(summary(segment, false, 0, true, 0, segment.base, true, false));
      index++;
      continue;
    }
    if (opened.kind === 'badHeader') {
      pending.push({
        file: segment.path,
        byteOffset: 0,
        bytes: opened.headerBytes || opened.fileBytes,
        reason: `header does not verify (${opened.reason})${opened.reader ? `; blocks read with the sync marker ${MANIFEST} recorded` : ''}`,
      });
      if (!opened.reader) {
        options.onSegment?.(summary(segment, isLast(), 0, true, 0, segment.base, true, true));
        index++;
        continue;
      }
    }
    const reader = opened.reader!;
    let records = 0;
    let damaged = opened.kind === 'badHeader';
    let torn: SegmentScan['torn'];
    let verifiedEnd = reader.pos;
    let reportedTail: number | undefined;
    const limit = snapshot?.sizes.get(segment.path);
    try {
      // Reading from an offset inside this segment: skip whole blocks before it without decoding them.
      if (from > segment.base && seen === segment.base) {
        for (;;) {
          const at = reader.pos;
          const s = await reader.skip();
          if (s.kind !== 'skipped' || s.firstOffset === undefined || s.firstOffset + s.count > from) {
            reader.seek(at);
            break;
          }
          seen = s.firstOffset + s.count;
          verifiedEnd = s.end;
        }
      }
      let first = true;
      for (;;) {
        if (isStopped()) return;
        // Sound blocks come lazily: each record is decoded, handed on and dropped before the next is decoded.
        const block = await reader.next(seen, LAZY);
        const sound = block.kind === 'block' || block.kind === 'records';
        if (sound && limit !== undefined && isLast() && block.end > limit) {
          reader.seek(block.start);
          break; // appended after this read started
        }
        if (sound || block.kind === 'damaged') reportedTail = undefined;
        if (sound) {
          let d = 0;
          for (let i = 0; ; i++) {
            // Taken before the damage before it is reported: taking a record that fails adds that damage.
            const entry = block.kind === 'block' ? block.entries[i] : block.take();
            for (; d < block.damage.length && block.damage[d].before === i; d++) {
              const bd = block.damage[d];
              pending.push({ file: segment.path, byteOffset: bd.byte, bytes: bd.bytes, reason: bd.reason });
              damaged = true;
            }
            if (entry === undefined) break;
            if (
              first &&
              entry.offset !== segment.base &&
              seen === segment.base &&
              from <= segment.base &&
              !(entry.offset > segment.base && acknowledged(segment.base, entry.offset))
            ) {
              pending.push({
                file: segment.path,
                byteOffset: block.start,
                reason: `the segment's name says it starts at offset ${segment.base}, its first record has offset ${entry.offset}`,
              });
              damaged = true;
            }
            first = false;
            if (seen !== undefined && entry.offset < seen) {
              if (entry.offset >= from) {
                if (duplicateRun && duplicateRun.last === entry.offset - 1) duplicateRun.last = entry.offset;
                else {
                  flushDuplicates();
                  duplicateRun = {
                    file: segment.path,
                    byte: block.start,
                    first: entry.offset,
                    last: entry.offset,
                  };
                }
                damaged = true;
              }
              continue;
            }
            flushDuplicates();
            // The common case (the next offset, nothing pending) costs one comparison per record.
            if (
              pending.length ||
              openEndedFrom !== undefined ||
              (entry.offset >= from && entry.offset !== seen)
            ) {
              reach(
                entry.offset,
                segment.path,
                block.start,
                `offsets ${Math.max(seen ?? 0, from)}..${entry.offset - 1} are missing before this block`,
              );
            }
            seen = entry.offset + 1;
            records++;
            if (entry.offset >= from) onEntry(entry);
          }
          verifiedEnd = block.end;
          continue;
        }
        if (block.kind === 'skipped') continue;
        if (block.kind === 'damaged') {
          pending.push({
            file: segment.path,
            byteOffset: block.start,
            bytes: block.resume - block.start,
            reason: block.reason,
          });
          damaged = true;
          continue;
        }
        // end or tail: is there a later segment?
        if (!isLast() || (!snapshot && (await listSegments(dir)).length > segments.length)) {
          if (snapshot === undefined) segments = await listSegments(dir);
          if (block.kind === 'tail' && !isLast()) {
            // The writer finishes a segment's last block before it starts the next: look once more.
            reader.seek(block.start);
            const again = await reader.next(seen);
            if (again.kind !== 'tail') {
              reader.seek(block.start);
              continue;
            }
            pending.push({
              file: segment.path,
              byteOffset: block.start,
              bytes: block.fileBytes - block.start,
              reason: `segment ends inside a block (${block.reason}) but is not the last`,
            });
            damaged = true;
          }
          break;
        }
        if (block.kind === 'tail') {
          const isTorn = block.prefix && (block.firstOffset === undefined || block.firstOffset === seen);
          if (isTorn) torn = { start: block.start, fileBytes: block.fileBytes };
          else if (reportedTail !== block.start) {
            reportedTail = block.start;
            torn = undefined;
            pending.push({
              file: segment.path,
              byteOffset: block.start,
              bytes: block.fileBytes - block.start,
              reason: `damaged tail: ${block.reason}`,
            });
            damaged = true;
          }
          reader.seek(block.start);
        }
        if (!follow) break;
        settleOpen();
        await sleep(pollMs);
      }
    } finally {
      await reader.close();
    }
    flushDuplicates();
    options.onSegment?.(
      summary(
        segment,
        isLast(),
        records,
        damaged,
        verifiedEnd,
        seen ?? segment.base,
        opened.kind === 'badHeader',
        reader.checked,
        torn,
      ),
    );
    index++;
  }
  // Segments the manifest lists after the last one there is: the last segment(s) went missing.
  const lastFile = segments.at(-1);
  const gone = (options.only === undefined ? (manifest?.segments ?? []) : []).filter(
    (m) => m.base > (lastFile?.base ?? -1) && !segments.some((s) => s.base === m.base),
  );
  if (gone.length) {
    settleOpen();
    const lo = Math.max(seen ?? 0, from, gone[0].base);
    damage({
      file: join(dir, segmentName(gone[0].base)),
      reason: `segment listed in ${MANIFEST} is missing${gone.length > 1 ? ` (and ${gone.length - 1} after it)` : ''}`,
      lost: { from: lo },
    });
  }
  settleOpen();
}

function summary(
  segment: SegmentFile,
  last: boolean,
  records: number,
  damaged: boolean,
  verifiedEnd: number,
  nextOffset: number,
  badHeader: boolean,
  checked: boolean,
  torn?: SegmentScan['torn'],
): SegmentScan {
  return {
    path: segment.path,
    base: segment.base,
    last,
    checked,
    records,
    damaged,
    torn,
    verifiedEnd,
    nextOffset,
    badHeader,
  };
}

async function snapshotOf(dir: string) {
  const segments = await listSegments(dir);
  const sizes = new Map<string, number>();
  for (const s of segments) sizes.set(s.path, (await stat(s.path).catch(() => ({ size: 0 }))).size);
  return { segments, sizes };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
