import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../pipelines/assemble/assemble.ts';
import type { Assembled } from '../../pipelines/assemble/assembled.ts';
import { assembleTree } from '../../pipelines/assemble/assembleTree.ts';
import { emitDecided } from '../../pipelines/assemble/emitDecided.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { treeScript } from './treeScript.ts';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Marble values a..z for a list of events. */
const lettered = (events: readonly TreeEvent[]) =>
  Object.fromEntries(events.map((e, i) => [String.fromCharCode(97 + i), e])) as Record<string, TreeEvent>;

/** A one-turn tree: open (a), correct action (b c d), incorrect action (e f g), close (h). */
const oneTurn = (id: string) =>
  treeScript(id).open().action(`${id}-c`, { correct: true }).action(`${id}-w`, { correct: false }).close();

const label = (a: Assembled) => `${a.kind}:${a.row.id.slice(-4)}`;

describe('assembleTree', () => {
  it('emits the folded tree after every event', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const s = oneTurn('f1');
      const v = lettered(s.events);
      const source = cold('-a-b-b-c|', v);
      const out = source.pipe(
        assembleTree(s.treeId),
        map((t) => `${t.applied}/${t.ignored}`),
      );
      expectObservable(out).toBe('-w-x-y-z|', { w: '1/0', x: '2/0', y: '2/1', z: '3/1' });
    });
  });
});

describe('emitDecided', () => {
  it('emits SFT at the correct verdict and the pair at the incorrect verdict, RM pairs at close', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const s = treeScript('e1')
        .open() // a
        .action('c', { correct: true }) // b c d
        .action('w', { correct: false }) // e f g
        .critique('w') // h
        .action('c2', { parent: 'w', turn: 2, correct: true }) // i j k
        .close(); // l
      const v = lettered(s.events);
      const source = cold('abcdefghijkl|', v);
      const out = source.pipe(assembleTree(s.treeId), emitDecided(), map(label));
      // d: sft of c; g: pair of turn 1; k: sft of c2 (turn 2 has no incorrect sibling); l: RM pair c2 > w.
      expectObservable(out).toBe('---x--y---zr|', {
        x: 'sft:_1_1',
        y: 'pair:_1_1',
        z: 'sft:_2_1',
        r: 'rm:rm_1',
      });
    });
  });
});

describe('assemble', () => {
  it('interleaved trees with repeats give each row once, when decided', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const t1 = oneTurn('i1').events;
      const t2 = oneTurn('i2').events;
      const v = {
        a: t1[0],
        d: t1[3],
        g: t1[6],
        b: t1[1],
        c: t1[2],
        e: t1[4],
        f: t1[5],
        A: t2[0],
        B: t2[1],
        C: t2[2],
        D: t2[3],
        E: t2[4],
        F: t2[5],
        G: t2[6],
      };
      const source = cold('aAbBcCdDdeEfFgGg|', v);
      const out = source.pipe(
        assemble(),
        map((x) => `${x.row.treeId === t1[0].treeId ? 1 : 2}${label(x)}`),
      );
      expectObservable(out).toBe('------xy-----zw-|', {
        x: '1sft:_1_1',
        y: '2sft:_1_1',
        z: '1pair:_1_1',
        w: '2pair:_1_1',
      });
    });
  });

  it('drops the late repeats of a closed tree, remembering the configured number of closed trees', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const m1 = oneTurn('m1').events;
      const m2 = oneTurn('m2').events;
      // m1 whole, m1 again (dropped: closed), m2 whole (closing it forgets m1 with memory for one), m1 again: a new
      // tree to the assembler, its rows once more (export sinks drop repeated row ids).
      const v = lettered([...m1, ...m2]);
      const source = cold('abcdefgh-abcdefgh-ijklmnop-abcdefgh|', v);
      const out = source.pipe(
        assemble({ closedTrees: 1 }),
        map((x) => `${x.row.treeId === m1[0].treeId ? 1 : 2}${label(x)}`),
      );
      expectObservable(out).toBe('---x--y--------------w--u-----x--y-|', {
        x: '1sft:_1_1',
        y: '1pair:_1_1',
        w: '2sft:_1_1',
        u: '2pair:_1_1',
      });
    });
  });
});
