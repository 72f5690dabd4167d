import type { DeadLetter, Instruction } from '../../schemas/types.ts';

/** One row read from a source: an instruction with where it came from, or a dead letter saying why not. */
export type SourceItem =
  | {
      readonly kind: 'instruction';
      readonly instruction: Instruction;
      readonly source: string;
      /** The row as read from the file (may be a view into a large read buffer: copy it to keep it). */
      readonly bytes: Buffer;
    }
  | { readonly kind: 'deadLetter'; readonly deadLetter: DeadLetter };

/**
 * One raw row of a file: the parsed value (or the parse error), where it is (`file:line` / `file:row N`), its bytes
 * (may be a view into a large read buffer: copy them to keep them).
 */
export interface RawRow {
  readonly value?: unknown;
  readonly error?: string;
  readonly source: string;
  readonly bytes: Buffer;
}
