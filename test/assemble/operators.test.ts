import { count, map, mergeMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../pipelines/assemble/assemble.ts';
import type { Assembled } from '../../pipelines/assemble/assembled.ts';
import { assembleTree } from '../../pipelines/assemble/assembleTree.ts';
import { dropDuplicateEvents } from '../../pipelines/assemble/dropDuplicateEvents.ts';
import { emitDecided } from '../../pipelines/assemble/emitDecided.ts';
import { groupByTree } from '../../pipelines/assemble/groupByTree.ts';
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

describe('dropDuplicateEvents', () => {
  it('drops a re-delivered event, and any event of a closed tree', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const v = lettered(oneTurn('t1').events);
      const source = cold('-a-b-a-c-b-h-a-c|', v);
      const expected = '  -a-b---c---h----|';
      expectObservable(source.pipe(dropDuplicateEvents())).toBe(expected, v);
    });
  });

  it('remembers only the configured number of closed trees', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const t1 = oneTurn('m1').events;
      const t2 = oneTurn('m2').events;
      const v = { a: t1[0], h: t1[7], A: t2[0], H: t2[7] };
      // With memory for one closed tree, closing m2 forgets m1: m1's late TreeOpened passes, m2's does not.
      const source = cold('-a-h-A-H-a-A|', v);
      const expected = '  -a-h-A-H-a--|';
      expectObservable(source.pipe(dropDuplicateEvents({ closedTrees: 1 }))).toBe(expected, v);
    });
  });
});

describe('groupByTree', () => {
  it('gives each tree its own stream, completed at its TreeClosed (evicted)', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const t1 = oneTurn('g1').events;
      const t2 = oneTurn('g2').events;
      const v = { a: t1[0], b: t1[1], h: t1[7], A: t2[0], B: t2[1] };
      const source = cold('-a-A-b-h-B-|', v);
      const out = source.pipe(
        groupByTree(),
        mergeMap((g) =>
          g.pipe(
            count(),
            map((n) => `${g.key === t1[0].treeId ? 'g1' : 'g2'}:${n}`),
          ),
        ),
      );
      // g1 completes with its TreeClosed at frame 7 (3 events); g2 never closes and completes with the source.
      expectObservable(out).toBe('-------x---(y|)', { x: 'g1:3', y: 'g2:2' });
    });
  });
});

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
});
