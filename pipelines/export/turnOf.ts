import type { Assembled } from '../assemble/assembled.ts';

/** The turn a row is filtered by: its action's turn (for an RM pair, the later of its two actions). */
export function turnOf(a: Assembled): number {
  return a.kind === 'rm' ? Math.max(a.row.chosenTurn, a.row.rejectedTurn) : a.row.turn;
}
