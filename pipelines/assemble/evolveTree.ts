import type { TreeEvent } from '../../schemas/types.ts';
import type { ActionNode, Tree } from './tree.ts';

const blankNode = (nodeId: string): ActionNode => ({
  nodeId,
  sampled: null,
  executed: null,
  verdict: null,
  critique: null,
  completeAt: null,
  critiquedAt: null,
});

/**
 * Folds one tree event into a tree (pure). Idempotent per fact: a second StrategySampled / TurnExecuted /
 * VerdictReached / CritiqueEmitted for the same node, a second TreeOpened or TreeClosed, and anything after TreeClosed
 * leave the tree unchanged but for `ignored` — the same rule as dropping repeats by their deterministic event id
 * (treeId, nodeId, kind). Events of another tree are ignored likewise. Facts may arrive in any order within a node;
 * a node is complete once its sampled, executed and verdict facts are all known.
 */
export function evolveTree(tree: Tree, event: TreeEvent): Tree {
  const ignore = (): Tree => ({ ...tree, ignored: tree.ignored + 1 });
  if (event.treeId !== tree.treeId || tree.closed !== null) return ignore();
  const clock = tree.applied + 1;
  const p = event.payload;
  switch (p.kind) {
    case 'TreeOpened': {
      if (tree.opened !== null) return ignore();
      const { kind: _k, ...opened } = p;
      return { ...tree, opened, openedAt: clock, applied: clock };
    }
    case 'TreeClosed': {
      const { kind: _k, ...closed } = p;
      return { ...tree, closed, applied: clock };
    }
    default: {
      const node = tree.nodes.get(p.nodeId) ?? blankNode(p.nodeId);
      let next: ActionNode;
      switch (p.kind) {
        case 'StrategySampled': {
          if (node.sampled !== null) return ignore();
          const { kind: _k, prompt: _p, ...sampled } = p;
          next = { ...node, sampled };
          break;
        }
        case 'TurnExecuted': {
          if (node.executed !== null) return ignore();
          const { kind: _k, ...executed } = p;
          next = { ...node, executed };
          break;
        }
        case 'VerdictReached': {
          if (node.verdict !== null) return ignore();
          const { kind: _k, ...verdict } = p;
          next = { ...node, verdict };
          break;
        }
        case 'CritiqueEmitted': {
          if (node.critique !== null) return ignore();
          const { kind: _k, ...critique } = p;
          next = { ...node, critique, critiquedAt: clock };
          break;
        }
      }
      if (next.completeAt === null && next.sampled && next.executed && next.verdict) {
        next = { ...next, completeAt: clock };
      }
      const nodes = new Map(tree.nodes);
      nodes.set(p.nodeId, next);
      return { ...tree, nodes, applied: clock };
    }
  }
}
