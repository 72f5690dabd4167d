import type { LlmUsage } from '../../connectors/llm/llmClient.ts';
import type { GrowStats } from './growStats.ts';

/** A one-line progress bar for a terminal: trees done/open, pairs, pass rate by turn, tokens, call rate. */
export function progressLine(stats: GrowStats, usage: LlmUsage, now: number, total?: number): string {
  const done = stats.solved + stats.exhausted + stats.failed;
  const secs = Math.max(0.001, (now - stats.startedAt) / 1000);
  const pass = stats.graded
    .map((g, i) => `T${i + 1} ${g ? Math.round((100 * (stats.correct[i] ?? 0)) / g) : 0}%`)
    .join(' ');
  const width = 20;
  const bar =
    total && total > 0
      ? `[${'#'.repeat(Math.round((width * Math.min(done, total)) / total)).padEnd(width, '.')}] `
      : '';
  return (
    `${bar}trees ${done}${total ? `/${total}` : ''} done, ${stats.open} open · pairs ${stats.pairs} · pass ${pass || '-'} · ` +
    `tokens ${usage.promptTokens + usage.completionTokens} · ${(stats.calls / secs).toFixed(1)} calls/s`
  );
}
