import type { ExportFormat } from './exportFormat.ts';

/** The max_length settings people train with; TRL's default is 1024. */
export const MAX_LENGTHS = [512, 1024, 2048] as const;

/** Token lengths of an export and what trainers would do with its long rows. */
export interface LengthStats {
  /** The counter's name: a tokenizer file, or the approximation. */
  readonly counter: string;
  readonly exact: boolean;
  readonly rows: number;
  readonly prompt: { readonly median: number; readonly p95: number; readonly max: number };
  readonly total: { readonly median: number; readonly p95: number; readonly max: number };
  /** Per max_length: rows whose prompt is longer, and rows whose prompt + longest completion is longer. */
  readonly over: readonly { readonly maxLength: number; readonly prompt: number; readonly total: number }[];
  /** The format's rule: which of the two counts the trainer acts on, and how. */
  readonly measure: 'prompt' | 'total';
  readonly effect: string;
}

function summary(values: Int32Array) {
  if (!values.length) return { median: 0, p95: 0, max: 0 };
  const sorted = Int32Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

/** Summarises the lengths of every written record (medians, 95th percentile, max, counts over each max_length). */
export function lengthStats(
  format: ExportFormat,
  counter: { readonly name: string; readonly exact: boolean },
  promptTokens: Int32Array,
  totalTokens: Int32Array,
): LengthStats {
  const over = MAX_LENGTHS.map((maxLength) => {
    let prompt = 0;
    let total = 0;
    for (let i = 0; i < promptTokens.length; i++) {
      if (promptTokens[i] > maxLength) prompt++;
      if (totalTokens[i] > maxLength) total++;
    }
    return { maxLength, prompt, total };
  });
  return {
    counter: counter.name,
    exact: counter.exact,
    rows: promptTokens.length,
    prompt: summary(promptTokens),
    total: summary(totalTokens),
    over,
    measure: format.overLength.measure,
    effect: format.overLength.effect,
  };
}
