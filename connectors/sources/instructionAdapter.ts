import type { Instruction, Task } from '../../schemas/types.ts';

/** Options every adapter takes. */
export interface AdapterOptions {
  /** Task to file math rows under: Math_CoT (default) or Math_PoT. */
  readonly mathTask?: Extract<Task, 'Math_CoT' | 'Math_PoT'>;
}

/** Turns one raw row of a public dataset into an Instruction; throws INVALID_INPUT naming the bad field. */
export type InstructionAdapter = (row: unknown, options: AdapterOptions) => Instruction;
