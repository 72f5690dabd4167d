import type { PreferencePair, SftExample } from '../../schemas/types.ts';
import type { Assembled } from '../assemble/assembled.ts';
import type { RmPair } from '../assemble/rmPairsOf.ts';
import type { ChatMessage } from './messagesOf.ts';
import { promptOf } from './promptOf.ts';
import { NO_CONTEXT, type RowContext } from './rowContext.ts';
import { TOKENS_PER_MESSAGE, type TokenCounter } from './tokenCounter.ts';

/** Tokens of a row's parts: its prompt, and each completion with the messages before it (SFT: the response twice). */
export interface RowLengths {
  readonly prompt: number;
  readonly chosen: number;
  readonly rejected: number;
}

const tokensOf = (messages: readonly ChatMessage[], counter: TokenCounter) => {
  let n = 0;
  for (const m of messages) n += counter.count(m.content) + TOKENS_PER_MESSAGE;
  return n;
};

/**
 * The token lengths of a row's prompt and completions: the messages' contents counted by `counter`, plus
 * TOKENS_PER_MESSAGE a message for the chat template's markup. Every format of a kind writes the same messages
 * under the same context, so one row's lengths serve all of them (lineLengthsOf picks per format).
 */
export function rowLengthsOf(
  kind: Assembled['kind'],
  row: Assembled['row'],
  counter: TokenCounter,
  ctx: RowContext = NO_CONTEXT,
): RowLengths {
  const { prompt, chosenBefore, rejectedBefore } = promptOf(row, ctx);
  const p = tokensOf(prompt, counter);
  const answer = (content: string) => counter.count(content) + TOKENS_PER_MESSAGE;
  if (kind === 'sft') {
    const response = answer((row as SftExample).response);
    return { prompt: p, chosen: response, rejected: response };
  }
  const pair = row as PreferencePair | RmPair;
  return {
    prompt: p,
    chosen: tokensOf(chosenBefore, counter) + answer(pair.chosen),
    rejected: tokensOf(rejectedBefore, counter) + answer(pair.rejected),
  };
}
