import { copyFile, mkdir, open, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** The folder, inside a topic's folder, where damaged files and cut bytes are kept (never deleted). */
export const QUARANTINE = 'quarantine';

/**
 * Moves a file (or, with `copy`, copies it) into the topic's quarantine folder beside a `.report.txt` saying why;
 * returns the quarantined path relative to the topic folder. Nothing is unlinked.
 */
export async function quarantine(
  dir: string,
  file: string,
  report: string,
  { copy = false }: { copy?: boolean } = {},
): Promise<string> {
  const folder = join(dir, QUARANTINE);
  await mkdir(folder, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const name = `${stamp}-${process.pid}-${basename(file)}`;
  const to = join(folder, name);
  if (copy) await copyFile(file, to);
  else await rename(file, to);
  await writeFile(`${to}.report.txt`, `${report}\n`);
  const fh = await open(folder, 'r');
  await fh.sync().catch(() => undefined);
  await fh.close();
  return join(QUARANTINE, name);
}

/** Keeps bytes (a cut tail) in the quarantine folder with a report; returns the path relative to the topic folder. */
export async function quarantineBytes(
  dir: string,
  name: string,
  bytes: Buffer,
  report: string,
): Promise<string> {
  const folder = join(dir, QUARANTINE);
  await mkdir(folder, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = `${stamp}-${process.pid}-${name}`;
  const fh = await open(join(folder, file), 'wx');
  await fh.write(bytes, 0, bytes.length, 0);
  await fh.datasync();
  await fh.close();
  await writeFile(join(folder, `${file}.report.txt`), `${report}\n`);
  return join(QUARANTINE, file);
}
