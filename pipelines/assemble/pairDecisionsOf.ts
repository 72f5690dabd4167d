import { ancestorsOf } from './ancestorsOf.ts';
import { isValidAction } from './isValidAction.ts';
import type { ActionNode, Tree } from './tree.ts';

/** A decided pair before its text is laid out: which nodes, at which turn, when (tree clock). */
export interface PairDecision {
  /** The expanded node the pair continues, null at turn 1. */
  readonly parentId: string | null;
  readonly turn: number;
  /** 1-based rank among the tree's pairs of the same turn, by decision order. */
  readonly ordinal: number;
  readonly chosen: ActionNode;
  readonly rejected: ActionNode;
  /** Expanded nodes from the root to parentId. */
  readonly ancestors: readonly ActionNode[];
  /** Tree clock when the pair became decided. */
  readonly decidedAt: number;
}

/**
 * The pairs a tree has decided so far, in decision order (pure). Siblings are the valid actions (see isValidAction)
 * sharing a parent (the expanded node of the previous turn, or the root). A pair is decided as soon as the siblings
 * include a correct and an incorrect action and the history up to the parent is known — not at tree close.
 *
 * With several of either, chosen = the first correct sibling and rejected = the first incorrect sibling, "first" by
 * when each became complete (tree clock, i.e. log order within the tree). Both are fixed the moment the pair is
 * decided: later siblings never change a decided pair, so a growing tree only ever appends to this list. The grower
 * expands the first incorrect action, so rejected is normally the node whose critique continues the tree.
 */
export function pairDecisionsOf(tree: Tree): PairDecision[] {
  if (tree.opened === null || tree.openedAt === null) return [];
  const firsts = new Map<string | null, { correct?: ActionNode; incorrect?: ActionNode }>();
  for (const node of tree.nodes.values()) {
    if (!isValidAction(node)) continue;
    const parentId = node.sampled!.parentId;
    let slot = firsts.get(parentId);
    if (!slot) {
      slot = {};
      firsts.set(parentId, slot);
    }
    const key = node.verdict!.correct ? 'correct' : 'incorrect';
    const held = slot[key];
    if (!held || node.completeAt! < held.completeAt!) slot[key] = node;
  }
  const decided: Omit<PairDecision, 'ordinal'>[] = [];
  for (const [parentId, { correct, incorrect }] of firsts) {
    if (!correct || !incorrect) continue;
    const ancestors = ancestorsOf(tree, parentId);
    if (ancestors === null) continue;
    let decidedAt = Math.max(tree.openedAt, correct.completeAt!, incorrect.completeAt!);
    for (const a of ancestors) decidedAt = Math.max(decidedAt, a.critiquedAt!, a.completeAt ?? 0);
    decided.push({
      parentId,
      turn: correct.sampled!.turn,
      chosen: correct,
      rejected: incorrect,
      ancestors,
      decidedAt,
    });
  }
  decided.sort(
    (a, b) => a.decidedAt - b.decidedAt || a.turn - b.turn || a.chosen.completeAt! - b.chosen.completeAt!,
  );
  const perTurn = new Map<number, number>();
  return decided.map((d) => {
    const ordinal = (perTurn.get(d.turn) ?? 0) + 1;
    perTurn.set(d.turn, ordinal);
    return { ...d, ordinal };
  });
}
