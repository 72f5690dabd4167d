import { createHash } from 'node:crypto';

/** A deterministic sampling seed for one node of one tree (31-bit, so every endpoint takes it). */
export function seedOf(treeId: string, nodeId: string): number {
  return createHash('sha256').update(`${treeId}/${nodeId}`).digest().readUInt32BE(0) >>> 1;
}
