import { hash } from 'node:crypto';

/** A deterministic sampling seed for one node of one tree (31-bit, so every endpoint takes it). */
export function seedOf(treeId: string, nodeId: string): number {
  // One-shot hash: no Hash object per call (this runs once per LLM call).
  return (hash('sha256', `${treeId}/${nodeId}`, 'buffer') as unknown as Buffer).readUInt32BE(0) >>> 1;
}
