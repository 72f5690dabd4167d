import { createHash } from 'node:crypto';

/** The tree id of an instruction: sha256 of its id, hex (64 chars), as UltraInteract's id hashes look. */
export function treeIdOf(instructionId: string): string {
  return createHash('sha256').update(instructionId, 'utf8').digest('hex');
}

/** The deterministic id of a tree event: the same step of the same tree always gets the same id. */
export function eventIdOf(treeId: string, nodeId: string | null, kind: string): string {
  return `${treeId}/${nodeId ?? 'root'}/${kind}`;
}
