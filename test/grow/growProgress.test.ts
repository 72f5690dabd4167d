import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createGrowProgress } from '../../cli/growProgress.ts';
import { growProgressFields } from '../../cli/growProgressFields.ts';
import { emptyUsage } from '../../connectors/llm/emptyUsage.ts';
import type { LlmUsage } from '../../connectors/llm/llmClient.ts';
import { emptyGrowStats } from '../../pipelines/grow/growStats.ts';

const usage = (o: Partial<LlmUsage> = {}): LlmUsage => ({ ...emptyUsage(), ...o });

describe('growProgressFields', () => {
  it('has no total, percent or ETA before anything is known', () => {
    const p = growProgressFields(emptyGrowStats(1_000), usage(), 1_000, { total: null, final: false });
    expect(p).toMatchObject({
      done: 0,
      total: null,
      percent: null,
      etaS: null,
      callsPerS: 0,
      passRateByTurn: [],
    });
  });
  it('counts done, total, %, ETA at this run’s rate, calls/s, tokens, dollars and pass rate by turn', () => {
    const stats = {
      ...emptyGrowStats(0),
      solved: 3,
      exhausted: 1,
      skipped: 2,
      open: 2,
      calls: 40,
      graded: [8, 2],
      correct: [6, 0],
    };
    const p = growProgressFields(
      stats,
      usage({ promptTokens: 900, completionTokens: 100, costUsd: 0.0123456789, retries: 3, timeouts: 1 }),
      20_000,
      { total: 16, final: true },
    );
    expect(p).toMatchObject({
      at: 20_000,
      elapsedS: 20,
      done: 6,
      total: 16,
      totalFinal: true,
      percent: 37.5,
      // 4 trees closed by this run in 20 s; 10 left → 50 s.
      etaS: 50,
      callsPerS: 2,
      tokens: 1000,
      costUsd: 0.012346,
      retries: 3,
      timeouts: 1,
      passRateByTurn: [
        { turn: 1, graded: 8, correct: 6, rate: 0.75 },
        { turn: 2, graded: 2, correct: 0, rate: 0 },
      ],
    });
  });
  it('never shows fewer instructions than trees done and open', () => {
    const stats = { ...emptyGrowStats(0), solved: 5, open: 3 };
    expect(growProgressFields(stats, usage(), 1000, { total: 2, final: false }).total).toBe(8);
    expect(growProgressFields(stats, usage(), 1000, { total: null, final: false }).total).toBe(8);
  });
});

describe('createGrowProgress (JSON lines)', () => {
  it('writes notices as text and a last line with the totals marked final', () => {
    let out = '';
    const stream = new Writable({
      write(chunk, _enc, done) {
        out += chunk;
        done();
      },
    }) as unknown as NodeJS.WriteStream;
    let calls = 0;
    const progress = createGrowProgress({
      mode: 'json',
      stream,
      read: () =>
        growProgressFields({ ...emptyGrowStats(0), calls: ++calls }, usage({ costUsd: 0.5 }), 1000, {
          total: 1,
          final: true,
        }),
    });
    progress.notice('grow: something happened');
    progress.stop();
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('grow: something happened');
    const last = JSON.parse(lines.at(-1)!);
    expect(last.final).toBe(true);
    expect(last.progress).toMatchObject({ calls: 1, costUsd: 0.5, total: 1 });
  });
});
