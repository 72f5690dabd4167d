import type { TreeEvent } from '../../schemas/types.ts';
import { isValidAction } from './isValidAction.ts';
import type { ActionNode, Tree } from './tree.ts';

// Hot path (once per event of a replay): objects are built field by field rather than with spreads and rests, and
// no closure is created per call.

const blankNode = (nodeId: string): ActionNode => ({
  nodeId,
  sampled: null,
  executed: null,
  verdict: null,
  critique: null,
  completeAt: null,
  critiquedAt: null,
});

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
  };
}

/**
 * Folds one tree event into a tree (pure). Idempotent per fact: a second StrategySampled / TurnExecuted /
 * VerdictReached / CritiqueEmitted for the same node, a second TreeOpened or TreeClosed, and anything after TreeClosed
 * leave the tree unchanged but for `ignored` — the same rule as dropping repeats by their deterministic event id
 * (treeId, nodeId, kind). Events of another tree are ignored likewise. Facts may arrive in any order within a node;
 * a node is complete once its sampled, executed and verdict facts are all known. The stored facts keep the
 * payload's `kind` field; StrategySampled is stored without its prompt. AnswerReceived and CritiqueRejected (the
 * grower's answer-first and critique-gate records) change nothing.
 *
 * The one thing after TreeClosed that counts: a TreeReopened for the next generation of a tree closed `failed` with
 * no valid correct action (so the closed growth decided no pair, SFT row or RM pair). It starts a new growth: no
 * nodes, open again, the same instruction; events with a seq before it (re-deliveries of the failed growth's) are
 * ignored from then on. Any other TreeReopened is ignored, so rows once decided never change.
 */
export function evolveTree(tree: Tree, event: TreeEvent): Tree {
  if (event.treeId !== tree.treeId || event.seq < tree.since) return ignore(tree);
  const clock = tree.applied + 1;
  const p = event.payload;
  if (tree.closed !== null) {
    if (p.kind !== 'TreeReopened' || !reopens(tree, p.generation, event.seq)) return ignore(tree);
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
    };
  }
  // Open: a reopen is a repeat (or names a growth that never closed).
  if (p.kind === 'TreeReopened') return ignore(tree);
  if (p.kind === 'TreeOpened') {
    if (tree.opened !== null) return ignore(tree);
    return {
      treeId: tree.treeId,
      opened: { instruction: p.instruction, config: p.config, group: p.group, leaseMs: p.leaseMs },
      openedAt: clock,
      nodes: tree.nodes,
      closed: null,
      applied: clock,
      decisiveAt: clock,
      ignored: tree.ignored,
      generation: tree.generation,
      since: tree.since,
    };
  }
  if (p.kind === 'TreeClosed') {
    return {
      treeId: tree.treeId,
      opened: tree.opened,
      openedAt: tree.openedAt,
      nodes: tree.nodes,
      closed: { outcome: p.outcome, reason: p.reason },
      applied: clock,
      decisiveAt: clock,
      ignored: tree.ignored,
      generation: tree.generation,
      since: tree.since,
    };
  }
  // The grower's own bookkeeping decides no row: a raw answer counts once judged (its TurnExecuted carries the text),
  // and a rejected critique is never used. The tree is returned as it was, its clock untouched.
  if (p.kind === 'AnswerReceived' || p.kind === 'CritiqueRejected') return tree;
  const node = tree.nodes.get(p.nodeId) ?? blankNode(p.nodeId);
  let { sampled, executed, verdict, critique, critiquedAt } = node;
  switch (p.kind) {
    case 'StrategySampled':
      if (sampled !== null) return ignore(tree);
      sampled = {
        nodeId: p.nodeId,
        parentId: p.parentId,
        turn: p.turn,
        strategy: p.strategy,
        model: p.model,
        role: p.role,
        attempt: p.attempt,
        params: p.params,
      };
      break;
    case 'TurnExecuted':
      if (executed !== null) return ignore(tree);
      executed = p;
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
  }
  let decisiveAt = p.kind === 'CritiqueEmitted' ? clock : tree.decisiveAt;
  let completeAt = node.completeAt;
  if (completeAt === null && sampled !== null && executed !== null && verdict !== null) {
    completeAt = clock;
    decisiveAt = clock;
  }
  const nodes = new Map(tree.nodes);
  nodes.set(p.nodeId, { nodeId: p.nodeId, sampled, executed, verdict, critique, completeAt, critiquedAt });
  return {
    treeId: tree.treeId,
    opened: tree.opened,
    openedAt: tree.openedAt,
    nodes,
    closed: null,
    applied: clock,
    decisiveAt,
    ignored: tree.ignored,
    generation: tree.generation,
    since: tree.since,
  };
}

/** The next generation of a tree closed `failed` that decided no row (grow's GrowTree.reopenable, the same rule). */
function reopens(tree: Tree, generation: number, seq: number): boolean {
  if (tree.closed?.outcome !== 'failed' || generation !== tree.generation + 1 || seq <= tree.since)
    return false;
  for (const n of tree.nodes.values()) if (isValidAction(n) && n.verdict!.correct) return false;
  return true;
}
