import type { Instruction } from '../../schemas/types.ts';

/** An instruction read from a partition of a consumer group; `ack` once its tree's TreeOpened is durable. */
export interface PartitionedInstruction {
  readonly instruction: Instruction;
  readonly partition: number;
  readonly ack?: () => void;
}

/** The partitions this worker owns after a rebalance of its consumer group. */
export interface Assignment {
  readonly assigned: readonly number[];
}

/**
 * What a grower's run() consumes: instructions (plain, or with the partition they were read from and an `ack` called
 * once the tree's TreeOpened is durable — when a consumer group may commit the instruction), and, in a consumer
 * group, the partitions this worker owns after each rebalance.
 */
export type GrowInput = Instruction | PartitionedInstruction | Assignment;

/** The input as one of its three shapes (an Instruction's own `instruction` field is its text, a string). */
export function growInputOf(input: GrowInput):
  | { readonly kind: 'assignment'; readonly assigned: readonly number[] }
  | {
      readonly kind: 'instruction';
      readonly instruction: Instruction;
      readonly partition: number | null;
      readonly ack: (() => void) | null;
    } {
  if ('assigned' in input) return { kind: 'assignment', assigned: input.assigned };
  if ('partition' in input)
    return {
      kind: 'instruction',
      instruction: input.instruction,
      partition: input.partition,
      ack: input.ack ?? null,
    };
  return { kind: 'instruction', instruction: input, partition: null, ack: null };
}
