import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assembled } from '../../pipelines/assemble/assembled.ts';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { type FollowProgress, followExport } from '../../pipelines/export/followExport.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { treeScript } from '../assemble/treeScript.ts';
import { waitFor } from '../support/waitFor.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-follow-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lines = async (path: string) =>
  (await readFile(path, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('followExport', () => {
  it('grows the export as pairs are decided, before trees close, and hands every row to publish', async () => {
    const events = new Subject<TreeEvent>();
    const out = join(dir, 'pairs.jsonl');
    const published: Assembled[] = [];
    const progress: FollowProgress[] = [];
    const sub = followExport({
      events,
      format: exportFormats.get('ultrainteract-pair')!,
      out,
      flushMs: 20,
      publish: async (rows) => {
        published.push(...rows);
      },
    }).subscribe((p) => progress.push(p));
    try {
      const s = treeScript('live-1', { text: 'Live problem' });
      s.open()
        .action('c1', { correct: true })
        .action('w1', { correct: false, action: 'wrong one' })
        .critique('w1');
      for (const e of s.events) events.next(e);
      await waitFor(
        async () => {
          const rows = await lines(out);
          expect(rows.map((r) => r.rejected)).toEqual(['wrong one']);
          return true;
        },
        { what: 'the first pair in the output' },
      );
      expect(published.map((a) => a.kind)).toEqual(['sft', 'pair']);
      const before = s.events.length;
      s.action('c2', { parent: 'w1', turn: 2, correct: true }).action('w2', {
        parent: 'w1',
        turn: 2,
        correct: false,
      });
      for (const e of s.events.slice(before)) events.next(e);
      await waitFor(
        async () => {
          const rows = await lines(out);
          expect(rows.map((r) => r.id.slice(-4))).toEqual(['_1_1', '_2_1']);
          expect(rows[1].trajectory).toHaveLength(3);
          return true;
        },
        { what: 'the second-turn pair in the output' },
      );
      expect(progress.at(-1)).toEqual({ written: 2, published: 4 });
    } finally {
      sub.unsubscribe();
    }
  });

  it('refuses Parquet, which cannot grow', () => {
    expect(() =>
      followExport({
        events: new Subject(),
        format: exportFormats.get('trl-dpo')!,
        out: join(dir, 'x.parquet'),
      }),
    ).toThrow(/JSONL only/);
  });
});
