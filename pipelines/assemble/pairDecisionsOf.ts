import { ancestorsOf, type ExpandedAction } from './ancestorsOf.ts';
import { isValidAction, type ValidAction } from './isValidAction.ts';
import type { Tree } from './tree.ts';

/** A decided pair before its text is laid out: which nodes, at which turn, when (tree clock). */
export interface PairDecision {
  /** The expanded node the pair continues, null at turn 1. */
  readonly parentId: string | null;
  readonly turn: number;
  /** 1-based rank among the tree's pairs of the same turn, by decision order. */
  readonly ordinal: number;
  readonly chosen: ValidAction;
  readonly rejected: ValidAction;
  /** Expanded nodes from the root to parentId. */
  readonly ancestors: readonly ExpandedAction[];
  /** Tree clock when the pair became decided. */
  readonly decidedAt: number;
}

function byCompletion(a: ValidAction, b: ValidAction): number {
  return a.completeAt - b.completeAt;
}

function byDecision(a: PairDecision, b: PairDecision): number {
  return a.decidedAt - b.decidedAt || a.turn - b.turn || a.chosen.completeAt - b.chosen.completeAt;
}

/**
 * The pairs a tree has decided so far, in decision order (pure). Siblings are the valid actions (see isValidAction)
 * sharing a parent (the expanded node of the previous turn, or the root). A pair is decided as soon as the siblings
 * include a correct and an incorrect action and the history up to the parent is known — not at tree close.
 *
 * With several of either, siblings pair in order: the k-th correct with the k-th incorrect, each ordered by when it
 * became complete (tree clock, i.e. log order within the tree); the surplus of either side stays unpaired. So the
 * usual turn (one correct, one or more incorrect, the first incorrect expanded) gives one pair: the first correct
 * and the first incorrect, which is the node whose critique continues the tree. No action is in two pairs, and a
 * decided pair never changes: a growing tree only ever appends to this list.
 */
export function pairDecisionsOf(tree: Tree): PairDecision[] {
  if (tree.opened === null || tree.openedAt === null) return [];
  const siblings = new Map<string | null, { correct: ValidAction[]; incorrect: ValidAction[] }>();
  for (const node of tree.nodes.values()) {
    if (!isValidAction(node)) continue;
    const parentId = node.sampled.parentId;
    let group = siblings.get(parentId);
    if (!group) {
      group = { correct: [], incorrect: [] };
      siblings.set(parentId, group);
    }
    (node.verdict.correct ? group.correct : group.incorrect).push(node);
  }
  // Fresh objects, ranked in place after the sort (no second object per decision).
  const decided: { -readonly [K in keyof PairDecision]: PairDecision[K] }[] = [];
  for (const [parentId, { correct, incorrect }] of siblings) {
    const n = Math.min(correct.length, incorrect.length);
    if (n === 0) continue;
    const ancestors = ancestorsOf(tree, parentId);
    if (ancestors === null) continue;
    let historyAt = tree.openedAt;
    for (const a of ancestors) historyAt = Math.max(historyAt, a.critiquedAt, a.completeAt ?? 0);
    correct.sort(byCompletion);
    incorrect.sort(byCompletion);
    for (let k = 0; k < n; k++) {
      const chosen = correct[k];
      const rejected = incorrect[k];
      const decidedAt = Math.max(historyAt, chosen.completeAt, rejected.completeAt);
      decided.push({
        parentId,
        turn: chosen.sampled.turn,
        ordinal: 0,
        chosen,
        rejected,
        ancestors,
        decidedAt,
      });
    }
  }
  decided.sort(byDecision);
  const perTurn = new Map<number, number>();
  for (const d of decided) {
    d.ordinal = (perTurn.get(d.turn) ?? 0) + 1;
    perTurn.set(d.turn, d.ordinal);
  }
  return decided;
}
