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
  if (ctx === NO_CONTEXT) return defaultLengthsOf(kind, row, counter);
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

/**
 * rowLengthsOf without a context, counted from the row's texts (no message objects built: this runs once per row
 * of every export): a pair's prompt is its trajectory, an SFT row's and an RM pair's the instruction, and nothing
 * comes before a completion — what promptOf gives with NO_CONTEXT.
 */
function defaultLengthsOf(kind: Assembled['kind'], row: Assembled['row'], counter: TokenCounter): RowLengths {
  let p = 0;
  if ('trajectory' in row) {
    for (const u of (row as PreferencePair).trajectory) p += counter.count(u.value) + TOKENS_PER_MESSAGE;
  } else p = counter.count(row.instruction) + TOKENS_PER_MESSAGE;
  if (kind === 'sft') {
    const response = counter.count((row as SftExample).response) + TOKENS_PER_MESSAGE;
    return { prompt: p, chosen: response, rejected: response };
  }
  const pair = row as PreferencePair | RmPair;
  return {
    prompt: p,
    chosen: counter.count(pair.chosen) + TOKENS_PER_MESSAGE,
    rejected: counter.count(pair.rejected) + TOKENS_PER_MESSAGE,
  };
}
