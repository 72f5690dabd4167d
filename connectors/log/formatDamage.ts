import type { LogDamage } from './eventLog.ts';

/** One line for a person: file, byte offset, offsets lost, reason. */
export function formatDamage(d: LogDamage): string {
  const at =
    d.byteOffset === undefined ? '' : ` at byte ${d.byteOffset}${d.bytes ? ` (${d.bytes} bytes)` : ''}`;
  const lost = !d.lost
    ? 'no records lost'
    : d.lost.until === undefined
      ? `offsets from ${d.lost.from} on not served`
      : d.lost.until - d.lost.from === 1
        ? `offset ${d.lost.from} not served`
        : `offsets ${d.lost.from}..${d.lost.until - 1} not served`;
  return `${d.topic}[${d.partition}] ${d.file}${at}: ${d.reason}; ${lost}`;
}
