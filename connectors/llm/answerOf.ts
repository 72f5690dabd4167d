import type { ChatResult } from './llmClient.ts';

/**
 * The ChatResult of one answered attempt, with the port's rule for a healthy endpoint's unusable answer: empty text
 * is `empty answer` (text ''), an answer cut by the token limit (`finishReason` 'length') keeps its text and fails
 * as `answer cut at the max_tokens limit`. Shared by every LLM adapter so they fail the same answers alike.
 */
export function answerOf(answer: {
  readonly text: string;
  readonly finishReason: string | null;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly latencyMs: number;
}): ChatResult {
  const { text, finishReason } = answer;
  const failure =
    text.trim() === ''
      ? 'empty answer'
      : finishReason === 'length'
        ? 'answer cut at the max_tokens limit'
        : null;
  return {
    text: failure === 'empty answer' ? '' : text,
    failure,
    promptTokens: answer.promptTokens,
    completionTokens: answer.completionTokens,
    latencyMs: answer.latencyMs,
    attempts: 1,
    finishReason,
  };
}
