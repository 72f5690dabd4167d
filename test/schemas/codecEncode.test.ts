import { describe, expect, it } from 'vitest';
import { syntheticTreeEvents } from '../../pipelines/synthetic/syntheticTrees.ts';
import { codecs } from '../../schemas/codec.ts';
import type { TreeEvent } from '../../schemas/types.ts';

describe('codec.encode', () => {
  // avsc's own toBuffer behind the single-object header: what encode wrote before it encoded into a scratch buffer.
  const reference = (e: TreeEvent) =>
    Buffer.concat([
      Buffer.from([0xc3, 0x01]),
      codecs.TreeEvent.fingerprint,
      codecs.TreeEvent.type.toBuffer(codecs.TreeEvent.toAvro(e)),
    ]);

  it('writes the same bytes as avsc toBuffer behind the header, small and large events alike', () => {
    const events = [...syntheticTreeEvents({ trees: 30, seed: 3 })];
    expect(events.some((e) => reference(e).length > 1024)).toBe(true);
    for (const e of events) expect(codecs.TreeEvent.encode(e)).toEqual(reference(e));
    // Above the 64 KiB scratch buffer: it grows, and what follows is still right.
    const big = events.find((e) => e.payload.kind === 'TurnExecuted')!;
    const huge = { ...big, payload: { ...big.payload, action: 'x'.repeat(200_000) } } as TreeEvent;
    expect(codecs.TreeEvent.encode(huge)).toEqual(reference(huge));
    expect(codecs.TreeEvent.decode(codecs.TreeEvent.encode(huge))).toEqual(huge);
    expect(codecs.TreeEvent.encode(events[0])).toEqual(reference(events[0]));
  });
});
