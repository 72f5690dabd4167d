/** Key of a node in Reverdicts.byNode: `treeId/nodeId`. */
export function nodeKeyOf(treeId: string, nodeId: string): string {
  return `${treeId}/${nodeId}`;
}
