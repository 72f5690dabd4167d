import { describe, expect, it } from 'vitest';
import { evolveTree } from '../../pipelines/assemble/evolveTree.ts';
import { pairsOf } from '../../pipelines/assemble/pairsOf.ts';
import { rmPairsOf } from '../../pipelines/assemble/rmPairsOf.ts';
import { sftOf } from '../../pipelines/assemble/sftOf.ts';
import { treeOf } from '../../pipelines/assemble/treeOf.ts';
import { treeScript } from './treeScript.ts';

/** A three-turn tree: turn 1 wrong (expanded), turn 2 wrong (expanded), turn 3 solved. */
function threeTurns() {
  return treeScript('inst-3', { text: 'What is 6*7?' })
    .open()
    .action('a1', { correct: true, action: 'Step 1: 6*7=42' })
    .action('b1', { correct: false, action: 'Step 1: 6*7=41', code: 'print(6*7-1)', observation: '41' })
    .critique('b1', 'Off by one.')
    .action('a2', { parent: 'b1', turn: 2, correct: false, action: 'Step 1: 43' })
    .action('b2', { parent: 'b1', turn: 2, correct: true, action: 'Step 1: 42' })
    .critique('a2', 'Still wrong.')
    .action('a3', { parent: 'a2', turn: 3, correct: true, action: 'final 42' })
    .action('b3', { parent: 'a2', turn: 3, correct: false, action: 'final 40' })
    .close();
}

describe('evolveTree / pairsOf / sftOf', () => {
  it('decides one pair a turn with the history of the expanded nodes', () => {
    const s = threeTurns();
    const pairs = pairsOf(treeOf(s.treeId, s.events));
    expect(pairs.map((p) => [p.id, p.turn, p.chosen, p.rejected])).toEqual([
      [`${s.treeId}_1_1`, 1, 'Step 1: 6*7=42', 'Step 1: 6*7=41'],
      [`${s.treeId}_2_1`, 2, 'Step 1: 42', 'Step 1: 43'],
      [`${s.treeId}_3_1`, 3, 'final 42', 'final 40'],
    ]);
    expect(pairs[0].trajectory).toEqual([{ from: 'user', value: 'What is 6*7?' }]);
    expect(pairs[2].trajectory).toEqual([
      { from: 'user', value: 'What is 6*7?' },
      { from: 'assistant', value: 'Step 1: 6*7=41' },
      { from: 'user', value: 'Out: 41\nYour answer is wrong.\nOff by one.' },
      { from: 'assistant', value: 'Step 1: 43' },
      { from: 'user', value: 'Your answer is wrong.\nStill wrong.' },
    ]);
    expect(
      pairs.every((p) => p.parentId === 'inst-3' && p.task === 'Math_CoT' && p.dataset === 'GSM8K'),
    ).toBe(true);
  });

  it('gives every correct action to SFT without history', () => {
    const s = threeTurns();
    const sft = sftOf(treeOf(s.treeId, s.events));
    expect(sft.map((r) => [r.id, r.nodeId, r.instruction, r.response])).toEqual([
      [`${s.treeId}_1_1`, 'a1', 'What is 6*7?', 'Step 1: 6*7=42'],
      [`${s.treeId}_2_1`, 'b2', 'What is 6*7?', 'Step 1: 42'],
      [`${s.treeId}_3_1`, 'a3', 'What is 6*7?', 'final 42'],
    ]);
  });

  it('decides a pair as soon as the turn has both, and a longer prefix only appends', () => {
    const s = threeTurns();
    const counts = [];
    let tree = treeOf(s.treeId, []);
    for (const e of s.events) {
      tree = evolveTree(tree, e);
      counts.push(pairsOf(tree).length);
    }
    // The pair of turn 1 is decided by b1's verdict (event 6), before its critique and long before TreeClosed.
    expect(counts.indexOf(1)).toBe(6);
    expect(counts.indexOf(3)).toBe(s.events.length - 2);
    const all = pairsOf(tree);
    for (let n = 0; n <= s.events.length; n++) {
      const prefix = pairsOf(treeOf(s.treeId, s.events.slice(0, n)));
      expect(all.slice(0, prefix.length)).toEqual(prefix);
    }
  });

  it('never pairs or trains on actions with a syntax error or a failure', () => {
    const s = treeScript('inst-x')
      .open()
      .action('bad', { correct: true, syntaxOk: false })
      .action('broken', { correct: false, failure: 'empty answer' })
      .action('w', { correct: false })
      .close('exhausted');
    const tree = treeOf(s.treeId, s.events);
    expect(pairsOf(tree)).toEqual([]);
    expect(sftOf(tree)).toEqual([]);
  });

  it('pairs the k-th correct with the k-th incorrect sibling when there are several', () => {
    const s = treeScript('inst-many')
      .open()
      .action('w1', { correct: false })
      .action('w2', { correct: false })
      .action('w3', { correct: false })
      .action('c1', { correct: true })
      .action('c2', { correct: true })
      .close();
    const tree = treeOf(s.treeId, s.events);
    expect(pairsOf(tree).map((p) => [p.id.slice(-4), p.chosenNodeId, p.rejectedNodeId])).toEqual([
      ['_1_1', 'c1', 'w1'],
      ['_1_2', 'c2', 'w2'],
    ]);
    const one = treeScript('inst-one')
      .open()
      .action('c1', { correct: true })
      .action('w1', { correct: false })
      .action('w2', { correct: false })
      .close();
    expect(pairsOf(treeOf(one.treeId, one.events)).map((p) => [p.chosenNodeId, p.rejectedNodeId])).toEqual([
      ['c1', 'w1'],
    ]);
    expect(sftOf(tree).map((r) => [r.id.slice(-4), r.nodeId])).toEqual([
      ['_1_1', 'c1'],
      ['_1_2', 'c2'],
    ]);
  });

  it('waits for the history: a turn-2 pair before its parent critique is not decided', () => {
    const s = treeScript('inst-late')
      .open()
      .action('c1', { correct: true })
      .action('w1', { correct: false })
      .action('c2', { parent: 'w1', turn: 2, correct: true })
      .action('w2', { parent: 'w1', turn: 2, correct: false });
    expect(pairsOf(treeOf(s.treeId, s.events)).map((p) => p.turn)).toEqual([1]);
    s.critique('w1');
    expect(pairsOf(treeOf(s.treeId, s.events)).map((p) => p.turn)).toEqual([1, 2]);
  });

  it('ignores repeated facts and anything after TreeClosed', () => {
    const s = threeTurns();
    const once = treeOf(s.treeId, s.events);
    const twice = treeOf(s.treeId, [...s.events, ...s.events]);
    expect(pairsOf(twice)).toEqual(pairsOf(once));
    expect(twice.ignored).toBe(s.events.length);
    expect(twice.applied).toBe(once.applied);
  });

  it('rmPairsOf matches correct and incorrect actions of other turns, only at close, within the limits', () => {
    const s = threeTurns();
    const open = treeOf(s.treeId, s.events.slice(0, -1));
    expect(rmPairsOf(open)).toEqual([]);
    const rm = rmPairsOf(treeOf(s.treeId, s.events));
    // correct: a1(t1) b2(t2) a3(t3); incorrect: b1(t1) a2(t2) b3(t3): 3×3 = 9 ≤ 10.
    expect(rm.map((p) => `${p.chosenNodeId}>${p.rejectedNodeId}`)).toEqual([
      'a1>a2',
      'a1>b3',
      'b2>b1',
      'b2>b3',
      'a3>b1',
      'a3>a2',
    ]);
    expect(rm.every((p) => p.chosenTurn !== p.rejectedTurn)).toBe(true);
  });

  it('rmPairsOf skips trees with more than 10 correct × incorrect combinations', () => {
    const s = treeScript('inst-big').open();
    for (let i = 0; i < 4; i++) s.action(`c${i}`, { correct: true });
    for (let i = 0; i < 3; i++) s.action(`w${i}`, { correct: false, turn: 1 });
    s.close();
    expect(rmPairsOf(treeOf(s.treeId, s.events))).toEqual([]);
  });
});
