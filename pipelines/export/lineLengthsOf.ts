import type { PreferencePair, SftExample } from '../../schemas/types.ts';
import type { Assembled } from '../assemble/assembled.ts';
import type { RmPair } from '../assemble/rmPairsOf.ts';
import type { ExportFormat } from './exportFormat.ts';
import type { ChatMessage } from './messagesOf.ts';
import { promptOf } from './promptOf.ts';
import { NO_CONTEXT, type RowContext } from './rowContext.ts';
import { TOKENS_PER_MESSAGE, type TokenCounter } from './tokenCounter.ts';

/** Tokens of one written record: its prompt, and its prompt plus its longest completion. */
export interface LineLength {
  readonly prompt: number;
  readonly total: number;
}

const tokensOf = (messages: readonly ChatMessage[], counter: TokenCounter) => {
  let n = 0;
  for (const m of messages) n += counter.count(m.content) + TOKENS_PER_MESSAGE;
  return n;
};

/**
 * The token lengths of the records `format.lines(row, ctx)` writes, in the same order: the messages' contents
 * counted by `counter`, plus TOKENS_PER_MESSAGE a message for the chat template's markup. The total takes the
 * longer completion of a pair (the one a trainer would drop or truncate first).
 */
export function lineLengthsOf(
  format: ExportFormat,
  row: Assembled['row'],
  counter: TokenCounter,
  ctx: RowContext = NO_CONTEXT,
): LineLength[] {
  const { prompt, chosenBefore, rejectedBefore } = promptOf(row, ctx);
  const p = tokensOf(prompt, counter);
  const answer = (content: string) => counter.count(content) + TOKENS_PER_MESSAGE;
  if (format.kind === 'sft') return [{ prompt: p, total: p + answer((row as SftExample).response) }];
  const pair = row as PreferencePair | RmPair;
  const chosen = tokensOf(chosenBefore, counter) + answer(pair.chosen);
  const rejected = tokensOf(rejectedBefore, counter) + answer(pair.rejected);
  if (format.spread) {
    return [
      { prompt: p, total: p + chosen },
      { prompt: p, total: p + rejected },
    ];
  }
  return [{ prompt: p, total: p + Math.max(chosen, rejected) }];
}
