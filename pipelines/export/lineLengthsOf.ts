import type { Assembled } from '../assemble/assembled.ts';
import type { ExportFormat } from './exportFormat.ts';
import { NO_CONTEXT, type RowContext } from './rowContext.ts';
import { type RowLengths, rowLengthsOf } from './rowLengthsOf.ts';
import type { TokenCounter } from './tokenCounter.ts';

/** Tokens of one written record: its prompt, and its prompt plus its longest completion. */
export interface LineLength {
  readonly prompt: number;
  readonly total: number;
}

/**
 * The lengths of the records a format writes from a row's lengths (rowLengthsOf), in the order of `format.lines`:
 * a spread format writes each completion on its own line; others one line, whose total takes the longer completion
 * (the one a trainer would drop or truncate first).
 */
function lineLengthsFrom(format: ExportFormat, lengths: RowLengths): LineLength[] {
  const { prompt: p, chosen, rejected } = lengths;
  if (format.spread) {
    return [
      { prompt: p, total: p + chosen },
      { prompt: p, total: p + rejected },
    ];
  }
  return [{ prompt: p, total: p + Math.max(chosen, rejected) }];
}

/** The token lengths of the records `format.lines(row, ctx)` writes, in the same order. */
export function lineLengthsOf(
  format: ExportFormat,
  row: Assembled['row'],
  counter: TokenCounter,
  ctx: RowContext = NO_CONTEXT,
): LineLength[] {
  return lineLengthsFrom(format, rowLengthsOf(format.kind, row, counter, ctx));
}
