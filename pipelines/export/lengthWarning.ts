import type { LengthStats } from './lengthStats.ts';

/**
 * The warning for rows over common max_length settings, naming how many at each and what the trainer does with them,
 * or null when no row is over 512 tokens.
 */
export function lengthWarning(format: string, stats: LengthStats): string | null {
  const counted = stats.over.map((o) => (stats.measure === 'prompt' ? o.prompt : o.total));
  if (!counted.some((n) => n > 0)) return null;
  const what = stats.measure === 'prompt' ? 'a prompt longer than' : 'prompt + completion longer than';
  const per = stats.over.map((o, i) => `${counted[i]} at max_length ${o.maxLength}`).join(', ');
  const how = stats.exact
    ? `tokens by ${stats.counter}`
    : `${stats.counter}; pass --tokenizer for exact counts`;
  return `${format}: of ${stats.rows} rows, those with ${what} max_length would be ${stats.effect}: ${per} (${how})`;
}
