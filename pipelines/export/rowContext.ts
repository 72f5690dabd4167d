import type { Utterance } from '../../schemas/types.ts';

/** What a row is laid out with beyond the row itself (export flags resolved for that row). */
export interface RowContext {
  /** A system message put first in the prompt, or null for none (--system-prompt). */
  readonly system: string | null;
  /**
   * --context trajectory: the history an action was written in (instruction, earlier actions and feedback), by node
   * id; null for --context instruction (UltraInteract's: SFT and RM rows carry the instruction alone).
   */
  readonly history: ((nodeId: string) => readonly Utterance[] | null) | null;
}

/** The context of the default flags: no system message, instruction only; formats then write their historic bytes. */
export const NO_CONTEXT: RowContext = { system: null, history: null };
