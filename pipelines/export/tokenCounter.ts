import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { ArboretumError } from '../../schemas/errors.ts';

/** Counts the tokens of a text, exactly with a tokenizer or approximately. */
export interface TokenCounter {
  /** What counted: the tokenizer file, or the approximation's rule (for the card and the warnings). */
  readonly name: string;
  /** False for the approximation. */
  readonly exact: boolean;
  count(text: string): number;
}

/** Chat-template markup (role headers, separators) per message, in tokens: templates are not applied, so a guess. */
export const TOKENS_PER_MESSAGE = 4;

/** Distinct texts remembered per counter: instructions and histories repeat across the rows of a tree. */
const CACHE = 4096;

/**
 * A token counter: with `tokenizer` (a Hugging Face tokenizer.json; a tokenizer_config.json beside it is read too)
 * through @huggingface/tokenizers, exact for the model; without, an approximation of 4 characters a token, rounded
 * up (OpenAI's rule of thumb for English; code and math often take more tokens).
 */
export function createTokenCounter({ tokenizer }: { tokenizer?: string } = {}): TokenCounter {
  if (tokenizer === undefined) {
    return { name: 'approximate: 4 characters a token', exact: false, count: (t) => Math.ceil(t.length / 4) };
  }
  let json: object;
  try {
    json = JSON.parse(readFileSync(tokenizer, 'utf8'));
  } catch (e) {
    throw new ArboretumError(
      'INVALID_INPUT',
      `--tokenizer ${JSON.stringify(tokenizer)}: not a readable tokenizer.json (${(e as Error).message})`,
      { context: { file: tokenizer } },
    );
  }
  const configPath = join(dirname(tokenizer), 'tokenizer_config.json');
  const config = existsSync(configPath) ? JSON.parse(readFileSync(configPath, 'utf8')) : {};
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (e) {
    throw new ArboretumError(
      'INVALID_INPUT',
      `--tokenizer ${JSON.stringify(tokenizer)}: cannot build a tokenizer (${(e as Error).message})`,
      { context: { file: tokenizer } },
    );
  }
  const cache = new Map<string, number>();
  return {
    name: tokenizer,
    exact: true,
    count(text) {
      const hit = cache.get(text);
      if (hit !== undefined) return hit;
      const n = tok.encode(text, { add_special_tokens: false }).ids.length;
      if (cache.size >= CACHE) cache.clear();
      cache.set(text, n);
      return n;
    },
  };
}
