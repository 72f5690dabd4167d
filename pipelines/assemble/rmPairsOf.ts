import { isValidAction, type ValidAction } from './isValidAction.ts';
import { parentIdOf } from './parentIdOf.ts';
import type { ActionNode, Tree } from './tree.ts';

/** A single-turn reward-model pair: the instruction as context, a correct and an incorrect action of other turns. */
export interface RmPair {
  /** `<hash>_rm_<n>`, n from 1 in the order the pairs were chosen. */
  readonly id: string;
  readonly parentId: string;
  readonly treeId: string;
  readonly task: string;
  readonly dataset: string;
  readonly instruction: string;
  readonly chosen: string;
  readonly rejected: string;
  readonly chosenNodeId: string;
  readonly rejectedNodeId: string;
  readonly chosenTurn: number;
  readonly rejectedTurn: number;
}

/** The paper's limits: trees with N_correct × N_incorrect ≤ 10, at most 9 pairs a tree, each action at most 3 times. */
const MAX_PRODUCT = 10;
const MAX_PAIRS = 9;
const MAX_USES = 3;

// Module-level, not closures per call: tsx/esbuild names each closure at its creation (`__name`, a defineProperty),
// ~1.6 µs a call of rmPairsOf (once per closed tree) in the assemble profile.
const byCompletion = (a: ValidAction, b: ValidAction) => a.completeAt - b.completeAt;
const usesOf = (uses: ReadonlyMap<string, number>, n: ActionNode) => uses.get(n.nodeId) ?? 0;

/**
 * The extra single-turn RM pairs of a closed tree (pure; [] while open, since they need the whole tree): each valid
 * correct action matched with valid incorrect actions of other turns, history dropped. Only trees where
 * (valid correct) × (valid incorrect) ≤ 10 — our reading of the paper's N×N ≤ 10. Chosen deterministically: the
 * candidates in order of (correct action, incorrect action) by when each completed, taken greedily while neither
 * action has been used 3 times, up to 9.
 */
export function rmPairsOf(tree: Tree): RmPair[] {
  if (tree.closed === null || tree.opened === null) return [];
  const correct: ValidAction[] = [];
  const incorrect: ValidAction[] = [];
  for (const node of tree.nodes.values()) {
    if (isValidAction(node)) (node.verdict.correct ? correct : incorrect).push(node);
  }
  if (correct.length * incorrect.length > MAX_PRODUCT) return [];
  correct.sort(byCompletion);
  incorrect.sort(byCompletion);
  const uses = new Map<string, number>();
  const instruction = tree.opened.instruction;
  const hash = instruction.metadata['ultrainteract.hash'] ?? tree.treeId;
  const pairs: RmPair[] = [];
  for (const c of correct) {
    for (const i of incorrect) {
      if (pairs.length >= MAX_PAIRS) return pairs;
      if (c.sampled.turn === i.sampled.turn || usesOf(uses, c) >= MAX_USES || usesOf(uses, i) >= MAX_USES)
        continue;
      uses.set(c.nodeId, usesOf(uses, c) + 1);
      uses.set(i.nodeId, usesOf(uses, i) + 1);
      pairs.push({
        id: `${hash}_rm_${pairs.length + 1}`,
        parentId: parentIdOf(tree),
        treeId: tree.treeId,
        task: instruction.task,
        dataset: instruction.dataset,
        instruction: instruction.instruction,
        chosen: c.executed.action,
        rejected: i.executed.action,
        chosenNodeId: c.nodeId,
        rejectedNodeId: i.nodeId,
        chosenTurn: c.sampled.turn,
        rejectedTurn: i.sampled.turn,
      });
    }
  }
  return pairs;
}
