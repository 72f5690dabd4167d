import type { ActionNode, Tree } from './tree.ts';

/**
 * The expanded nodes on the path from the root to `parentId`, root-most first, or null while that history is not
 * fully known (a node missing, not executed, or not critiqued) or is inconsistent (a cycle).
 */
export function ancestorsOf(tree: Tree, parentId: string | null): ActionNode[] | null {
  const path: ActionNode[] = [];
  let id = parentId;
  while (id !== null) {
    const node = tree.nodes.get(id);
    if (!node || node.sampled === null || node.executed === null || node.critique === null) return null;
    if (path.length > tree.nodes.size) return null;
    path.push(node);
    id = node.sampled.parentId;
  }
  return path.reverse();
}
