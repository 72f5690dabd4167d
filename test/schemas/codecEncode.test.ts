import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { syntheticTreeEvents } from '../../pipelines/synthetic/syntheticTrees.ts';
import { codecs } from '../../schemas/codec.ts';
import { fingerprintOf } from '../../schemas/fingerprint.ts';
import { readSchemaFile, recordNames } from '../../schemas/schemaTypes.ts';
import type { TreeEvent } from '../../schemas/types.ts';

// avsc's own types of the same schemas, without schemaTypes' one-pass strings and kind-keyed payload union.
const registry = {};
const plain = Object.fromEntries(
  recordNames.map((n) => [n, avro.Type.forSchema(readSchemaFile(n), { registry, wrapUnions: 'auto' })]),
) as Record<(typeof recordNames)[number], avro.Type>;

describe('codec.encode', () => {
  // avsc's own toBuffer behind the single-object header, from the wrapped value: what encode wrote at first.
  const reference = (e: TreeEvent) =>
    Buffer.concat([
      Buffer.from([0xc3, 0x01]),
      codecs.TreeEvent.fingerprint,
      plain.TreeEvent.toBuffer(codecs.TreeEvent.toAvro(e)),
    ]);
  const events = [...syntheticTreeEvents({ trees: 30, seed: 3 })];
  const turn = events.find((e) => e.payload.kind === 'TurnExecuted')!;
  const withAction = (action: string) => ({ ...turn, payload: { ...turn.payload, action } }) as TreeEvent;

  it('has the schema and fingerprint of avsc’s own types', () => {
    for (const n of recordNames) {
      expect(codecs[n].type.schema()).toEqual(plain[n].schema());
      expect(codecs[n].fingerprint).toEqual(fingerprintOf(plain[n]));
    }
  });

  it('writes the same bytes as avsc toBuffer behind the header, small and large events alike', () => {
    expect(events.some((e) => reference(e).length > 1024)).toBe(true);
    // All kept, then compared: a later encode must not overwrite an earlier result (they share slabs).
    const kept = events.map((e) => codecs.TreeEvent.encode(e));
    for (let i = 0; i < kept.length; i++) expect(kept[i]).toEqual(reference(events[i]));
    // Above a quarter of the slab and above 64 KiB: a Buffer of its own, and what follows is still right.
    for (const n of [20_000, 200_000]) {
      const big = withAction('x'.repeat(n));
      expect(codecs.TreeEvent.encode(big)).toEqual(reference(big));
      expect(codecs.TreeEvent.decode(codecs.TreeEvent.encode(big))).toEqual(big);
    }
    expect(codecs.TreeEvent.encode(events[0])).toEqual(reference(events[0]));
  });

  it('writes strings of any length and any UTF-8 width as avsc does', () => {
    // Lengths around avsc's 64-char switch and the 1/2/3-byte length prefixes (63/64 and 8191/8192 bytes), in
    // 1-, 2-, 3- and 4-byte characters, and lone surrogates (written as EF BF BD).
    const units = ['a', 'é', '€', '😀', '\ud800', 'a\udc00'];
    const lengths = [0, 1, 63, 64, 65, 66, 100, 2730, 2731, 4095, 4096, 8191, 8192, 8193, 16_000];
    for (const u of units) {
      for (const n of lengths) {
        const e = withAction(u.repeat(Math.ceil(n / u.length)).slice(0, n));
        const bytes = codecs.TreeEvent.encode(e);
        expect(bytes, `${JSON.stringify(u)} x ${n}`).toEqual(reference(e));
        // Mixed: ASCII with one wide character at the end (the prefix is guessed from the longest case).
        const mixed = withAction(`${'b'.repeat(n)}${u}`);
        expect(codecs.TreeEvent.encode(mixed), `mixed ${JSON.stringify(u)} ${n}`).toEqual(reference(mixed));
      }
    }
  });

  it('still writes the wrapped payload shape and refuses an unknown kind', () => {
    const e = events[1];
    expect(codecs.TreeEvent.type.toBuffer(codecs.TreeEvent.toAvro(e))).toEqual(
      plain.TreeEvent.toBuffer(codecs.TreeEvent.toAvro(e)),
    );
    expect(() =>
      codecs.TreeEvent.encode({
        ...e,
        payload: { ...e.payload, kind: 'NoSuchKind' },
      } as unknown as TreeEvent),
    ).toThrow(/invalid/);
  });

  it('encodes the other records as avsc does', () => {
    const inst = events.find((x) => x.payload.kind === 'TreeOpened')!.payload as { instruction: unknown };
    const bytes = codecs.Instruction.encode(inst.instruction as never);
    expect(bytes.subarray(10)).toEqual(plain.Instruction.toBuffer(inst.instruction));
  });
});
