import type { Outcome } from '../../schemas/types.ts';
import { isValidAction, type ValidAction } from '../assemble/isValidAction.ts';
import type { GrowConfig } from './growConfig.ts';
import type { GrowNode, GrowTree } from './growTree.ts';
import { type NodeSpec, turnPlan } from './turnPlan.ts';

/** What a tree needs next, decided from the log alone. */
export type Step =
  | { readonly kind: 'open' }
  /** Plan new actions: log their intents, then ask. `parentId` is the expanded node they continue. */
  | {
      readonly kind: 'sample';
      readonly specs: readonly NodeSpec[];
      readonly parentId: string | null;
      readonly ancestors: readonly GrowNode[];
    }
  /**
   * The current wave is not finished: `unanswered` intents (asked now, or left by a crash: asked again with the logged
   * prompt) and `unjudged` actions, both in plan order (unjudged includes the unanswered ones: judgements are logged
   * in plan order, so the first unjudged one is the next to log).
   */
  | {
      readonly kind: 'pending';
      readonly unanswered: readonly GrowNode[];
      readonly unjudged: readonly GrowNode[];
    }
  /** Expand this incorrect action: ask the critic. */
  | { readonly kind: 'critique'; readonly node: ValidAction; readonly ancestors: readonly GrowNode[] }
  | { readonly kind: 'close'; readonly outcome: Outcome; readonly reason: string }
  | { readonly kind: 'closed' };

/**
 * The next step of a tree (pure): walks the expanded (critiqued) nodes from the root to the current turn, then
 * finishes that turn's pending work, samples the next wave of its plan while no correct action has come (a wave once
 * started is always finished, so a restart samples exactly what an uninterrupted run would), and finally expands the
 * first valid incorrect action or closes the tree.
 */
export function nextStep(tree: GrowTree, config: GrowConfig): Step {
  if (tree.closed) return { kind: 'closed' };
  if (!tree.opened) return { kind: 'open' };
  const task = tree.opened.instruction.task;
  const all = [...tree.nodes.values()];
  let parentId: string | null = null;
  const ancestors: GrowNode[] = [];
  let turn = 1;
  let children: GrowNode[];
  for (;;) {
    children = all.filter((n) => n.sampled?.parentId === parentId && n.sampled.turn === turn);
    const expanded = children.find((n) => n.critique !== null);
    if (!expanded || turn >= config.maxTurns) break;
    ancestors.push(expanded);
    parentId = expanded.nodeId;
    turn++;
  }
  const unjudged = children.filter((n) => n.verdict === null);
  if (unjudged.length) {
    const unanswered = unjudged.filter((n) => n.answered === null && n.executed === null);
    return { kind: 'pending', unanswered, unjudged };
  }

  const known = new Set(children.map((n) => n.nodeId));
  const anyCorrect = () => children.some((n) => isValidAction(n) && n.verdict.correct);
  const waves = turnPlan(config, task, turn, tree.generation, tree.treeId);
  for (let w = 0; w < waves.length; w++) {
    const missing = waves[w].filter((s) => !known.has(s.nodeId));
    if (!missing.length) continue;
    const started = missing.length < waves[w].length;
    if (w === 0 || started || !anyCorrect()) return { kind: 'sample', specs: missing, parentId, ancestors };
    break;
  }
  const valid = children.filter(isValidAction);
  const correct = valid.filter((n) => n.verdict.correct);
  const incorrect = valid.filter((n) => !n.verdict.correct);
  if (incorrect.length && turn < config.maxTurns && (config.expandAfterPair || !correct.length)) {
    return { kind: 'critique', node: incorrect[0], ancestors };
  }
  if (correct.length || all.some((n) => isValidAction(n) && n.verdict.correct)) {
    return {
      kind: 'close',
      outcome: 'solved',
      reason: correct.length
        ? incorrect.length
          ? turn >= config.maxTurns
            ? `pair at turn ${turn}, the last turn`
            : `pair at turn ${turn}; expandAfterPair is off`
          : `only correct actions at turn ${turn}`
        : `no valid action at turn ${turn}; solved at an earlier turn`,
    };
  }
  if (!incorrect.length)
    return { kind: 'close', outcome: 'failed', reason: `no valid action at turn ${turn}` };
  return {
    kind: 'close',
    outcome: 'exhausted',
    reason: `no correct action in ${turn} turn(s) and every fallback`,
  };
}
