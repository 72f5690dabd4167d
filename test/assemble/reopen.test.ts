import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../pipelines/assemble/assemble.ts';
import type { Assembled } from '../../pipelines/assemble/assembled.ts';
import { treeOf } from '../../pipelines/assemble/treeOf.ts';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { treeScript } from './treeScript.ts';

const rows = (events: readonly TreeEvent[]) => lastValueFrom(from(events).pipe(assemble(), toArray()));

/** Every export format's lines of these rows, in emission order: what a trainer would read. */
const exported = (assembled: readonly Assembled[]) =>
  [...exportFormats.values()].map((f) => [
    f.name,
    assembled.filter((a) => a.kind === f.kind).flatMap((a) => f.lines(a.row)),
  ]);

/** Two turns: turn 1 pairs c > w and expands w; turn 2 solves it (c2), then closes (prefix: a growth's node ids). */
const solvedGrowth = (s: ReturnType<typeof treeScript>, prefix: string) =>
  s
    .action(`${prefix}c`, { correct: true, action: 'Step 1: 6*7 = 42.' })
    .action(`${prefix}w`, { correct: false, action: 'Step 1: 6*7 = 41.' })
    .critique(`${prefix}w`, 'Recompute 6*7.')
    .action(`${prefix}c2`, { parent: `${prefix}w`, turn: 2, correct: true, action: 'Step 1: 42.' })
    .action(`${prefix}w2`, { parent: `${prefix}w`, turn: 2, correct: false, action: 'Step 1: 40.' })
    .close('solved');

/**
 * A first growth that closed failed: a valid incorrect action at turn 1 (expanded), then only failed actions at
 * turn 2 — no correct action, so no row; its incorrect action must not reach the RM pairs of the regrowth.
 */
const failedGrowth = (s: ReturnType<typeof treeScript>) =>
  s
    .action('w0', { correct: false, action: 'Step 1: 6*7 = 13.' })
    .critique('w0')
    .action('f1', { parent: 'w0', turn: 2, correct: false, action: '', failure: 'empty answer' })
    .action('f2', { parent: 'w0', turn: 2, correct: false, action: '', failure: 'empty answer' })
    .close('failed');

describe('a reopened tree (TreeReopened after TreeClosed failed)', () => {
  it('exports what a tree grown solved in the first place exports, without the failed growth', async () => {
    const straight = solvedGrowth(treeScript('q1').open(), '');
    const retried = solvedGrowth(failedGrowth(treeScript('q1').open()).reopen(), 'g1.');
    const a = await rows(straight.events);
    const b = await rows(retried.events);
    expect(a.map((r) => r.kind)).toEqual(['sft', 'pair', 'sft', 'pair', 'rm', 'rm']);
    // Row ids are the same (the failed growth decided none); only node ids name the growth.
    expect(b.map((r) => r.row.id)).toEqual(a.map((r) => r.row.id));
    expect(exported(b)).toEqual(exported(a));
    const nodes = JSON.stringify(b);
    for (const id of ['w0', 'f1', 'f2']) expect(nodes).not.toContain(`"${id}"`);
    // The fold: the new growth only, open again then solved, the instruction kept.
    const tree = treeOf(retried.treeId, retried.events);
    expect(tree.generation).toBe(1);
    expect([...tree.nodes.keys()]).toEqual(['g1.c', 'g1.w', 'g1.c2', 'g1.w2']);
    expect(tree.closed?.outcome).toBe('solved');
    expect(tree.opened?.instruction.id).toBe('q1');
  });

  it('ignores repeats: of the reopen, and of the failed growth after it, live or replayed', async () => {
    const retried = solvedGrowth(failedGrowth(treeScript('q2').open()).reopen(), 'g1.');
    const ev = retried.events;
    const reopenAt = ev.findIndex((e) => e.payload.kind === 'TreeReopened');
    // Re-deliveries right after the reopen: the failed growth's close and first action, then the reopen itself.
    const noisy = [
      ...ev.slice(0, reopenAt + 1),
      ev[reopenAt - 1],
      ev[1],
      ev[reopenAt],
      ...ev.slice(reopenAt + 1),
    ];
    expect(exported(await rows(noisy))).toEqual(exported(await rows(ev)));
    const tree = treeOf(retried.treeId, noisy);
    expect([...tree.nodes.keys()]).toEqual(['g1.c', 'g1.w', 'g1.c2', 'g1.w2']);
    // Without the dedup operator too: the fold alone drops what came before the reopen (by seq).
    expect(tree.ignored).toBeGreaterThanOrEqual(3);
  });

  it('is ignored after a close that is not failed, or one whose growth had a correct action', async () => {
    const solved = solvedGrowth(treeScript('q3').open(), '');
    const afterSolved = [...solved.events];
    const reopen = {
      ...afterSolved.at(-1)!,
      eventId: `${solved.treeId}/g1/TreeReopened`,
      seq: afterSolved.length,
    };
    afterSolved.push({ ...reopen, payload: { kind: 'TreeReopened', generation: 1, reason: '' } });
    expect(exported(await rows(afterSolved))).toEqual(exported(await rows(solved.events)));
    expect(treeOf(solved.treeId, afterSolved).generation).toBe(0);

    // An older log's tree closed failed after its first pair (the old grower, when the critic failed): its rows
    // stand, and nothing after the reopen counts.
    const withRows = treeScript('q4')
      .open()
      .action('c', { correct: true })
      .action('w', { correct: false })
      .close('failed')
      .reopen()
      .action('g1.c', { correct: true })
      .action('g1.w', { correct: false })
      .close('solved');
    const out = await rows(withRows.events);
    expect(out.map((r) => `${r.kind}:${r.row.id.slice(-4)}`)).toEqual(['sft:_1_1', 'pair:_1_1']);
    expect(treeOf(withRows.treeId, withRows.events).closed?.outcome).toBe('failed');
  });

  it('a second reopen after the regrowth failed again starts a third growth', async () => {
    const s = failedGrowth(treeScript('q5').open()).reopen();
    s.action('g1.f', { correct: false, action: '', failure: 'empty answer' }).close('failed').reopen();
    solvedGrowth(s, 'g2.');
    const ids = new Set(s.events.map((e) => e.eventId));
    expect(ids.size).toBe(s.events.length);
    const tree = treeOf(s.treeId, s.events);
    expect(tree.generation).toBe(2);
    expect(exported(await rows(s.events))).toEqual(
      exported(await rows(solvedGrowth(treeScript('q5').open(), '').events)),
    );
  });
});
