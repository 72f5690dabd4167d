import { describe, expect, it } from 'vitest';
import { recordHash } from '../../connectors/sources/recordHash.ts';
import { codecs } from '../../schemas/codec.ts';
import type { TreeEvent, TreeOpened } from '../../schemas/types.ts';
import { smallTrees } from '../analytics/fixtures.ts';

describe('recordHash', () => {
  const opened = smallTrees().math[0];
  const payload = opened.payload as { kind: 'TreeOpened' } & TreeOpened;
  const withParams = (params: Record<string, string>, metadata: Record<string, string>): TreeEvent => ({
    ...opened,
    payload: {
      ...payload,
      instruction: { ...payload.instruction, metadata },
      config: { ...payload.config, params },
    },
  });

  it('is the same for maps in any key order, at any depth (TreeOpened → TreeConfig.params, Instruction.metadata)', () => {
    const a = withParams({ seed: '1', temperature: '0.7' }, { split: 'train', row: '3' });
    const b = withParams({ temperature: '0.7', seed: '1' }, { row: '3', split: 'train' });
    expect(recordHash(codecs.TreeEvent, a).equals(recordHash(codecs.TreeEvent, b))).toBe(true);
    // The sort works on a copy: the value itself keeps its order.
    expect(Object.keys((b.payload as { config: { params: object } }).config.params)).toEqual([
      'temperature',
      'seed',
    ]);
  });

  it('differs when any content differs, and survives an encode/decode round trip', () => {
    const a = withParams({ seed: '1' }, {});
    const b = withParams({ seed: '2' }, {});
    expect(recordHash(codecs.TreeEvent, a).equals(recordHash(codecs.TreeEvent, b))).toBe(false);
    const back = codecs.TreeEvent.decode(codecs.TreeEvent.encode(a));
    expect(recordHash(codecs.TreeEvent, back).equals(recordHash(codecs.TreeEvent, a))).toBe(true);
    expect(recordHash(codecs.TreeEvent, a)).toHaveLength(16);
  });
});
