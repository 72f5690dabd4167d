import { isValidAction } from './isValidAction.ts';
import type { ActionNode, Tree } from './tree.ts';

/** A correct action decided for SFT: which node, its turn, its rank at that turn, and when (tree clock). */
export interface SftDecision {
  readonly node: ActionNode;
  readonly turn: number;
  /** 1-based rank among the tree's correct actions of the same turn. */
  readonly ordinal: number;
  readonly decidedAt: number;
}

/** The valid correct actions of a tree so far, in decision order (pure); append-only as the tree grows. */
export function sftDecisionsOf(tree: Tree): SftDecision[] {
  if (tree.openedAt === null) return [];
  const openedAt = tree.openedAt;
  const correct: ActionNode[] = [];
  for (const node of tree.nodes.values())
    if (isValidAction(node) && node.verdict!.correct) correct.push(node);
  const decided = correct
    .map((node) => ({ node, turn: node.sampled!.turn, decidedAt: Math.max(openedAt, node.completeAt!) }))
    .sort((a, b) => a.decidedAt - b.decidedAt || a.node.completeAt! - b.node.completeAt!);
  const perTurn = new Map<number, number>();
  return decided.map((d) => {
    const ordinal = (perTurn.get(d.turn) ?? 0) + 1;
    perTurn.set(d.turn, ordinal);
    return { ...d, ordinal };
  });
}
