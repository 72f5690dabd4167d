/** Which partitions a worker owns (rebalance) and which partition each tree lives in. */
export interface PartitionOwnership {
  /**
   * True when the tree is this worker's to grow: outside a consumer group or in an owned partition, and not held by
   * another live group (heldElsewhere).
   */
  owns(treeId: string): boolean;
  /** True when another group opened the tree and still holds its lease: leave it alone, whatever the partition. */
  heldElsewhere(treeId: string): boolean;
  /** Records the partition a tree was read from (tree-events or instructions: the same, co-partitioned). */
  place(treeId: string, partition: number): void;
  /** True when the tree lives in one of `partitions`. */
  within(treeId: string, partitions: ReadonlySet<number>): boolean;
  /** Takes a new assignment; returns the partitions it adds. */
  assign(partitions: readonly number[]): number[];
  /**
   * Gives up at once the partitions not in `held` (a rebalance took them), before the assignment is taken in order
   * with the instructions: trees there stop writing now, not when the run gets to it.
   */
  release(held: readonly number[]): void;
}

/**
 * Ownership starting with every partition owned (no consumer group) until the first assignment. `heldElsewhere`
 * (default: never) tells the trees another group holds (pipelines/status/createFleetFold.ts: the group of the tree's
 * first TreeOpened, while its lease runs): Kafka keeps one owner per tree within a group, this across groups.
 */
export function createPartitionOwnership(
  heldElsewhere: (treeId: string) => boolean = () => false,
): PartitionOwnership {
  let owned: Set<number> | null = null;
  /** The partitions of the newest assignment told through release (null: none told). */
  let latest: Set<number> | null = null;
  const partitionOf = new Map<string, number>();
  return {
    owns: (treeId) => (owned === null || owned.has(partitionOf.get(treeId) ?? -1)) && !heldElsewhere(treeId),
    heldElsewhere,
    place: (treeId, partition) => void partitionOf.set(treeId, partition),
    within: (treeId, partitions) => partitions.has(partitionOf.get(treeId) ?? -1),
    release(held) {
      latest = new Set(held);
      if (owned === null) return;
      for (const p of owned) if (!latest.has(p)) owned.delete(p);
    },
    assign(assigned) {
      // An assignment taken late (the run was waiting for a slot) may hold partitions a later rebalance took back.
      const partitions = latest ? assigned.filter((p) => latest!.has(p)) : assigned;
      const before = owned;
      owned = new Set(partitions);
      return partitions.filter((p) => !before?.has(p));
    },
  };
}
