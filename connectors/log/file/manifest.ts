import { createHash } from 'node:crypto';
import { open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What the writer recorded about one segment when it created it (enough to read it if its header is damaged). */
export interface ManifestSegment {
  readonly base: number;
  /** The segment's sync marker, hex. */
  readonly sync: string;
  readonly headerBytes: number;
  /** sha256 (hex) of the segment's LogEntry schema JSON. */
  readonly schema: string;
}

/** Offsets that `check --repair` found lost and quarantined: reads do not report them again. */
export interface ManifestGap {
  readonly from: number;
  readonly until: number;
  readonly reason: string;
  /** The quarantined file holding the original bytes, relative to the topic folder. */
  readonly quarantine: string;
}

/**
 * A topic's manifest.json: every segment the writer created, in order, written (atomically, fsynced) right after
 * the segment's header is durable. It is how a missing first or last segment is noticed (segment names alone
 * cannot tell a missing last segment from none), and how a segment with a damaged header is still read.
 */
export interface Manifest {
  readonly version: 1;
  readonly segments: readonly ManifestSegment[];
  readonly gaps: readonly ManifestGap[];
}

export const MANIFEST = 'manifest.json';

export function schemaFingerprint(schema: unknown): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

/** The topic's manifest; `problem` when the file is there but unreadable; neither for a log written before it. */
export async function readManifest(dir: string): Promise<{ manifest?: Manifest; problem?: string }> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { problem: `cannot read ${MANIFEST}: ${(e as Error).message}` };
  }
  try {
    const m = JSON.parse(text) as Manifest;
    const sound =
      m.version === 1 &&
      Array.isArray(m.segments) &&
      Array.isArray(m.gaps) &&
      m.segments.every(
        (s) =>
          Number.isSafeInteger(s.base) &&
          /^[0-9a-f]{32}$/.test(s.sync) &&
          Number.isSafeInteger(s.headerBytes) &&
          typeof s.schema === 'string',
      ) &&
      m.gaps.every((g) => Number.isSafeInteger(g.from) && Number.isSafeInteger(g.until));
    if (!sound) return { problem: `${MANIFEST} is not a manifest (damaged?)` };
    return { manifest: m };
  } catch (e) {
    return { problem: `${MANIFEST} is not JSON (damaged?): ${(e as Error).message}` };
  }
}

/** Replaces the manifest atomically and durably (temp file, fsync, rename, fsync of the folder). */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const path = join(dir, MANIFEST);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(manifest)}\n`);
  const fh = await open(tmp, 'r');
  await fh.datasync();
  await fh.close();
  await rename(tmp, path);
  const d = await open(dir, 'r');
  await d.sync().catch(() => undefined);
  await d.close();
}
