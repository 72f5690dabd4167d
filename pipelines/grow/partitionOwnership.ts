/** Which partitions a worker owns (rebalance) and which partition each tree lives in. */
export interface PartitionOwnership {
  /** True outside a consumer group, or when the tree's partition is owned now. */
  owns(treeId: string): boolean;
  /** Records the partition a tree was read from (tree-events or instructions: the same, co-partitioned). */
  place(treeId: string, partition: number): void;
  /** True when the tree lives in one of `partitions`. */
  within(treeId: string, partitions: ReadonlySet<number>): boolean;
  /** Takes a new assignment; returns the partitions it adds. */
  assign(partitions: readonly number[]): number[];
}

/** Ownership starting with every partition owned (no consumer group) until the first assignment. */
export function createPartitionOwnership(): PartitionOwnership {
  let owned: Set<number> | null = null;
  const partitionOf = new Map<string, number>();
  return {
    owns: (treeId) => owned === null || owned.has(partitionOf.get(treeId) ?? -1),
    place: (treeId, partition) => void partitionOf.set(treeId, partition),
    within: (treeId, partitions) => partitions.has(partitionOf.get(treeId) ?? -1),
    assign(partitions) {
      const before = owned;
      owned = new Set(partitions);
      return partitions.filter((p) => !before?.has(p));
    },
  };
}
