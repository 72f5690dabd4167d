import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { exportLog } from '../../pipelines/export/exportLog.ts';
import { collectReverdicts } from '../../pipelines/regrade/collectReverdicts.ts';
import { isReverdict } from '../../pipelines/regrade/isReverdict.ts';
import { reverdictIdOf } from '../../pipelines/regrade/reverdictIdOf.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { treeScript } from '../assemble/treeScript.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-reverdicts-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A closed tree whose two actions were both graded incorrect; `labels` re-verdicts of node c follow, in order. */
function regraded(labels: readonly boolean[]): TreeEvent[] {
  const s = treeScript('rv-1', { task: 'Logic', dataset: 'FOLIO' })
    .open()
    .action('c', { correct: false, action: 'Therefore, yes.' })
    .action('w', { correct: false, action: 'No, it does not follow.' })
    .close();
  const events = [...s.events];
  for (const [i, correct] of labels.entries())
    events.push({
      eventId: reverdictIdOf(s.treeId, 'c', i === 1 ? 'v2' : 'v1', i + 1),
      treeId: s.treeId,
      seq: events.length,
      time: 1,
      writer: 'regrade',
      payload: {
        kind: 'VerdictReached',
        nodeId: 'c',
        correct,
        grader: 'logic',
        detail: 'yes-no',
        graderVersion: `logic-${i + 2}`,
      },
    });
  return events;
}

const pairFormat = exportFormats.get('ultrainteract-pair')!;
async function pairs(events: readonly TreeEvent[], order: 'canonical' | 'log', name: string) {
  const out = join(dir, `${name}.jsonl`);
  const r = await exportLog({ events: from(events), targets: [{ format: pairFormat, out }], order });
  const text = await readFile(out, 'utf8');
  return {
    rows: text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
    labels: r.labels,
    events: r.events,
  };
}

describe('re-verdicts in the export', () => {
  it('tells re-verdicts from the grower’s verdicts by id', () => {
    const events = regraded([true]);
    expect(events.filter(isReverdict).map((e) => e.eventId)).toEqual([
      reverdictIdOf(events[0].treeId, 'c', 'v1', 1),
    ]);
  });

  it('reads a re-verdict id part by part exactly as the prefix treeId/nodeId/VerdictReached@ would', () => {
    const verdict = (treeId: string, nodeId: string, eventId: string): TreeEvent => ({
      eventId,
      treeId,
      seq: 1,
      time: 1,
      writer: 'regrade',
      payload: {
        kind: 'VerdictReached',
        nodeId,
        correct: true,
        grader: 'logic',
        detail: '',
        graderVersion: 'v',
      },
    });
    const cases: [string, string, string][] = [];
    for (const [t, n] of [
      ['t', 'c'],
      ['t/c', 'd'], // a tree id that looks like tree/node
      ['t', 'c/VerdictReached@x'],
      ['', ''],
    ])
      for (const id of [
        reverdictIdOf(t, n, 'v1', 1),
        `${t}/${n}/VerdictReached`,
        `${t}/${n}/VerdictReached@`,
        `${t}/${n}/VerdictReache@v1#1`,
        `${t}x${n}/VerdictReached@v1#1`,
        `${t}/${n}x/VerdictReached@v1#1`,
        `x${t}/${n}/VerdictReached@v1#1`,
        `${t}/${n}`,
        '',
      ])
        cases.push([t, n, id]);
    for (const [t, n, id] of cases)
      expect([t, n, id, isReverdict(verdict(t, n, id))]).toEqual([
        t,
        n,
        id,
        id.startsWith(`${t}/${n}/VerdictReached@`),
      ]);
    // Both answers met: the two re-verdict shapes of each of the four tree / node pairs.
    expect(cases.filter(([t, n, id]) => isReverdict(verdict(t, n, id))).length).toBe(8);
  });

  it('the newest verdict decides, in either order mode; a flip back changes nothing; repeats count once', async () => {
    expect((await pairs(regraded([]), 'canonical', 'none')).rows).toEqual([]);
    for (const order of ['canonical', 'log'] as const) {
      const one = await pairs(regraded([true]), order, `one-${order}`);
      expect(one.rows.map((r) => [r.chosen, r.rejected])).toEqual([
        ['Therefore, yes.', 'No, it does not follow.'],
      ]);
      expect(one.labels).toEqual({ graderVersions: ['logic-2'], changed: 1 });
      expect(one.events).toBe(regraded([true]).length);
    }
    const back = await pairs(regraded([true, false]), 'canonical', 'back');
    expect(back.rows).toEqual([]);
    expect(back.labels).toEqual({ graderVersions: ['logic-3'], changed: 0 });
    const twice = regraded([true]);
    const repeated = await pairs([...twice, twice.at(-1)!], 'log', 'repeated');
    expect(repeated.rows).toHaveLength(1);
    const collected = await collectReverdicts(from([...twice, twice.at(-1)!]));
    expect([...collected.byNode.values()].map((r) => r.count)).toEqual([1]);
  });
});
