import type { CritiqueEmitted, StrategySampled, TurnExecuted } from '../../schemas/types.ts';
import type { ActionNode, Tree } from './tree.ts';

/** An expanded node of a known history: sampled, executed and critiqued. */
export type ExpandedAction = ActionNode & {
  readonly sampled: StrategySampled;
  readonly executed: TurnExecuted;
  readonly critique: CritiqueEmitted;
  readonly critiquedAt: number;
};

const isExpanded = (node: ActionNode | undefined): node is ExpandedAction =>
  node !== undefined && node.sampled !== null && node.executed !== null && node.critique !== null;

/**
 * The expanded nodes on the path from the root to `parentId`, root-most first, or null while that history is not
 * fully known (a node missing, not executed, or not critiqued) or is inconsistent (a cycle).
 */
export function ancestorsOf(tree: Tree, parentId: string | null): ExpandedAction[] | null {
  const path: ExpandedAction[] = [];
  let id = parentId;
  while (id !== null) {
    const node = tree.nodes.get(id);
    if (!isExpanded(node)) return null;
    if (path.length > tree.nodes.size) return null;
    path.push(node);
    id = node.sampled.parentId;
  }
  return path.reverse();
}
