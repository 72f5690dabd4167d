import { UI_META } from './rowIdOf.ts';
import type { Tree } from './tree.ts';

/** The `parent_id` of every row of a tree: the instruction id (or the imported row's parent_id). */
export function parentIdOf(tree: Tree): string {
  const instruction = tree.opened?.instruction;
  return instruction?.metadata[UI_META.parentId] ?? instruction?.id ?? '';
}
