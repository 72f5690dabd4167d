import type { CritiqueRejected, StrategySampled, TreeEvent } from '../../schemas/types.ts';
import { isValidAction } from './isValidAction.ts';
import type { ActionNode, Tree } from './tree.ts';

// Hot path (once per event of a replay): objects are built field by field rather than with spreads and rests, and
// no closure is created per call.

const NO_REJECTED: readonly CritiqueRejected[] = Object.freeze([]);

const blankNode = (nodeId: string): ActionNode => ({
  nodeId,
  sampled: null,
  answered: null,
  executed: null,
  verdict: null,
  critique: null,
  rejected: NO_REJECTED,
  completeAt: null,
  critiquedAt: null,
});

/** StrategySampled without its prompt: once the intent is answered it is never asked again. */
const withoutPrompt = (s: StrategySampled): StrategySampled =>
  s.prompt.length === 0
    ? s
    : {
        nodeId: s.nodeId,
        parentId: s.parentId,
        turn: s.turn,
        strategy: s.strategy,
        model: s.model,
        role: s.role,
        attempt: s.attempt,
        params: s.params,
        prompt: [],
        strategyPolicy: s.strategyPolicy,
      };

export interface EvolveOptions {
  /**
   * The caller owns `tree.nodes`: it keeps no other reference to this tree state or its map (assemble, whose open
   * trees are its own, without --context trajectory), so the map is updated in place instead of copied for every
   * node event (a copy of a tree's ~4–20 entries, and its garbage, per event). The nodes themselves stay immutable.
   */
  readonly ownsNodes?: boolean;
}

function ignore(tree: Tree): Tree {
  return {
    treeId: tree.treeId,
    opened: tree.opened,
    openedAt: tree.openedAt,
    nodes: tree.nodes,
    closed: tree.closed,
    applied: tree.applied,
    decisiveAt: tree.decisiveAt,
    ignored: tree.ignored + 1,
    generation: tree.generation,
    since: tree.since,
    reopenable: tree.reopenable,
    validCorrect: tree.validCorrect,
    validIncorrect: tree.validIncorrect,
  };
}

/**
 * Folds one tree event into a tree (pure): the one fold of the tree, read by assemble, grow (growTree's
 * evolveGrowTree is a thin layer over it) and the analytics sink. Idempotent per fact: a second StrategySampled /
 * AnswerReceived / TurnExecuted / VerdictReached / CritiqueEmitted for the same node, a second CritiqueRejected of one
 * attempt (or any after the critique), a second TreeOpened or TreeClosed, and anything after TreeClosed leave the
 * tree unchanged but for `ignored` — the same rule as dropping repeats by their deterministic event id (treeId,
 * nodeId, kind). Events of another tree are ignored likewise. Facts may arrive in any order within a node; a node is
 * complete once its sampled, executed and verdict facts are all known. The stored facts keep the payload's `kind`
 * field; a StrategySampled prompt is dropped once answered, an AnswerReceived text once executed. AnswerReceived and
 * CritiqueRejected (the grower's answer-first and critique-gate records) decide no row: they leave the clock as it was.
 *
 * The one thing after TreeClosed that counts: a TreeReopened for the next generation of a tree closed `failed` with
 * no valid correct action (`reopenable`: the closed growth decided no pair, SFT row or RM pair). It starts a new
 * growth: no nodes, open again, the same instruction; events with a seq before it (re-deliveries of the failed
 * growth's) are ignored from then on. Any other TreeReopened is ignored, so rows once decided never change.
 */
export function evolveTree(tree: Tree, event: TreeEvent, options?: EvolveOptions): Tree {
  if (event.treeId !== tree.treeId || event.seq < tree.since) return ignore(tree);
  const clock = tree.applied + 1;
  const p = event.payload;
  if (tree.closed !== null) {
    if (
      p.kind !== 'TreeReopened' ||
      !tree.reopenable ||
      p.generation !== tree.generation + 1 ||
      event.seq <= tree.since
    )
      return ignore(tree);
    // A new growth: the failed one's nodes (all invalid or incorrect, so in no row) are dropped, the instruction kept.
    return {
      treeId: tree.treeId,
      opened: tree.opened,
      openedAt: tree.openedAt,
      nodes: new Map(),
      closed: null,
      applied: clock,
      decisiveAt: clock,
      ignored: tree.ignored,
      generation: p.generation,
      since: event.seq,
      reopenable: false,
      validCorrect: 0,
      validIncorrect: 0,
    };
  }
  // Open: a reopen is a repeat (or names a growth that never closed).
  if (p.kind === 'TreeReopened') return ignore(tree);
  if (p.kind === 'TreeOpened') {
    if (tree.opened !== null) return ignore(tree);
    return {
      treeId: tree.treeId,
      opened: p,
      openedAt: clock,
      nodes: tree.nodes,
      closed: null,
      applied: clock,
      decisiveAt: clock,
      ignored: tree.ignored,
      generation: tree.generation,
      since: tree.since,
      reopenable: false,
      validCorrect: tree.validCorrect,
      validIncorrect: tree.validIncorrect,
    };
  }
  if (p.kind === 'TreeClosed') {
    return {
      treeId: tree.treeId,
      opened: tree.opened,
      openedAt: tree.openedAt,
      nodes: tree.nodes,
      closed: p,
      applied: clock,
      decisiveAt: clock,
      ignored: tree.ignored,
      generation: tree.generation,
      since: tree.since,
      reopenable: p.outcome === 'failed' && tree.validCorrect === 0,
      validCorrect: tree.validCorrect,
      validIncorrect: tree.validIncorrect,
    };
  }
  const node = tree.nodes.get(p.nodeId) ?? blankNode(p.nodeId);
  let { sampled, answered, executed, verdict, critique, rejected, critiquedAt } = node;
  // The grower's bookkeeping (answer-first, critique gate) decides no row: stored, with the clock untouched.
  let bookkeeping = false;
  switch (p.kind) {
    case 'StrategySampled':
      if (sampled !== null) return ignore(tree);
      sampled = answered !== null || executed !== null ? withoutPrompt(p) : p;
      break;
    case 'AnswerReceived':
      if (answered !== null) return ignore(tree);
      answered = executed !== null && p.text !== '' ? { ...p, text: '' } : p;
      if (sampled !== null) sampled = withoutPrompt(sampled);
      bookkeeping = true;
      break;
    case 'TurnExecuted':
      if (executed !== null) return ignore(tree);
      executed = p;
      if (sampled !== null) sampled = withoutPrompt(sampled);
      if (answered !== null && answered.text !== '') answered = { ...answered, text: '' };
      break;
    case 'VerdictReached':
      if (verdict !== null) return ignore(tree);
      verdict = p;
      break;
    case 'CritiqueEmitted':
      if (critique !== null) return ignore(tree);
      critique = p;
      critiquedAt = clock;
      break;
    case 'CritiqueRejected':
      if (critique !== null || rejected.some((r) => r.attempt === p.attempt)) return ignore(tree);
      rejected = [...rejected, p];
      bookkeeping = true;
      break;
  }
  let decisiveAt = p.kind === 'CritiqueEmitted' ? clock : tree.decisiveAt;
  let completeAt = node.completeAt;
  const completes = completeAt === null && sampled !== null && executed !== null && verdict !== null;
  if (completes) {
    completeAt = clock;
    decisiveAt = clock;
  }
  const next: ActionNode = {
    nodeId: p.nodeId,
    sampled,
    answered,
    executed,
    verdict,
    critique,
    rejected,
    completeAt,
    critiquedAt,
  };
  let { validCorrect, validIncorrect } = tree;
  if (completes && isValidAction(next)) {
    if (next.verdict.correct) validCorrect++;
    else validIncorrect++;
  }
  const nodes = options?.ownsNodes ? (tree.nodes as Map<string, ActionNode>) : new Map(tree.nodes);
  nodes.set(p.nodeId, next);
  return {
    treeId: tree.treeId,
    opened: tree.opened,
    openedAt: tree.openedAt,
    nodes,
    closed: null,
    applied: bookkeeping ? tree.applied : clock,
    decisiveAt,
    ignored: tree.ignored,
    generation: tree.generation,
    since: tree.since,
    reopenable: false,
    validCorrect,
    validIncorrect,
  };
}
