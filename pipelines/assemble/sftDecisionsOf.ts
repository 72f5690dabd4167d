import { isValidAction, type ValidAction } from './isValidAction.ts';
import type { Tree } from './tree.ts';

/** A correct action decided for SFT: which node, its turn, its rank at that turn, and when (tree clock). */
export interface SftDecision {
  readonly node: ValidAction;
  readonly turn: number;
  /** 1-based rank among the tree's correct actions of the same turn. */
  readonly ordinal: number;
  readonly decidedAt: number;
}

function byDecision(a: SftDecision, b: SftDecision): number {
  return a.decidedAt - b.decidedAt || a.node.completeAt - b.node.completeAt;
}

/** The valid correct actions of a tree so far, in decision order (pure); append-only as the tree grows. */
export function sftDecisionsOf(tree: Tree): SftDecision[] {
  if (tree.openedAt === null) return [];
  const decided: { node: ValidAction; turn: number; ordinal: number; decidedAt: number }[] = [];
  for (const node of tree.nodes.values()) {
    if (isValidAction(node) && node.verdict.correct) {
      decided.push({
        node,
        turn: node.sampled.turn,
        ordinal: 0,
        decidedAt: Math.max(tree.openedAt, node.completeAt),
      });
    }
  }
  if (decided.length > 1) decided.sort(byDecision);
  let perTurn: Map<number, number> | null = null;
  for (const d of decided) {
    if (decided.length === 1) {
      d.ordinal = 1;
      break;
    }
    perTurn ??= new Map();
    d.ordinal = (perTurn.get(d.turn) ?? 0) + 1;
    perTurn.set(d.turn, d.ordinal);
  }
  return decided;
}
