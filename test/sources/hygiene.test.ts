import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstInvalidUtf8 } from '../../connectors/sources/firstInvalidUtf8.ts';
import { jsonArrayElements } from '../../connectors/sources/jsonArrayElements.ts';
import { readInstructions } from '../../connectors/sources/readInstructions.ts';
import { readLines } from '../../connectors/sources/readLines.ts';
import { readRows } from '../../connectors/sources/readRows.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arb-hygiene-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const row = (id: string, instruction = `Problem ${id}`) =>
  JSON.stringify({ id, task: 'Math_CoT', dataset: 'GSM8K', instruction, reference: { answer: '4' } });

describe('firstInvalidUtf8', () => {
  it('agrees with the platform decoder on random bytes, and names the first bad byte', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const at = firstInvalidUtf8(bytes);
        let valid = true;
        try {
          strict.decode(bytes);
        } catch {
          valid = false;
        }
        expect(at === -1).toBe(valid);
        // Everything before the bad byte decodes; the sequence starting at it does not.
        if (at >= 0) expect(() => strict.decode(bytes.subarray(0, at))).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects overlong forms, surrogates, code points above U+10FFFF and cut sequences', () => {
    const at = (...b: number[]) => firstInvalidUtf8(Uint8Array.from(b));
    expect(at(0x61, 0xc0, 0x80)).toBe(1);
    expect(at(0xe0, 0x80, 0x80)).toBe(0);
    expect(at(0xed, 0xa0, 0x80)).toBe(0);
    expect(at(0xf4, 0x90, 0x80, 0x80)).toBe(0);
    expect(at(0x61, 0x62, 0xe2, 0x82)).toBe(2);
    expect(at(0xf0, 0x9f, 0x98, 0x80, 0xe2, 0x82, 0xac)).toBe(-1);
  });
});

describe('readLines', () => {
  it('drops a BOM, splits \\n and \\r\\n, keeps the last unterminated line, and gives byte offsets', async () => {
    const file = join(dir, 'lines.txt');
    await writeFile(file, Buffer.concat([BOM, Buffer.from('ab\r\né\n\nlast')]));
    const lines = await collect(readLines(file));
    expect(lines.map((l) => [l.line, l.offset, l.text])).toEqual([
      [1, 3, 'ab'],
      [2, 7, 'é'],
      [3, 10, ''],
      [4, 11, 'last'],
    ]);
  });

  it('names the file offset of the first bad byte of a line that is not UTF-8, and keeps its bytes as they are', async () => {
    const file = join(dir, 'bad.txt');
    const bad = Buffer.from([0x7b, 0x22, 0x61, 0xff, 0xfe, 0x22, 0x7d]);
    await writeFile(file, Buffer.concat([Buffer.from('ok\n'), bad, Buffer.from('\nfine\n')]));
    const lines = await collect(readLines(file));
    expect(lines[1]).toMatchObject({ line: 2, offset: 3, error: 'invalid UTF-8 at byte 6' });
    expect(lines[1].text).toBeUndefined();
    expect(lines[1].bytes.equals(bad)).toBe(true);
    expect(lines.map((l) => l.text)).toEqual(['ok', undefined, 'fine']);
  });

  it('reads lines across chunk boundaries (lines longer than a chunk, multi-byte characters cut by a chunk)', async () => {
    const file = join(dir, 'long.txt');
    // 1.4 MB: spans many 64 KiB chunks; after the 'a' every é starts at an odd offset, so chunks end inside one.
    const long = `a${'é'.repeat(700_000)}`;
    await writeFile(file, `${long}\nshort\n${long}x`);
    const lines = await collect(readLines(file));
    expect(lines.map((l) => l.text?.length)).toEqual([700_001, 5, 700_002]);
    expect(lines.every((l) => l.error === undefined)).toBe(true);
    expect(lines[2].offset).toBe(1_400_001 + 1 + 6);
  });
});

describe('readLines against a plain split', () => {
  it('gives the same lines, numbers and offsets as splitting the whole file (random texts across chunks)', async () => {
    const file = join(dir, 'prop.txt');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 40_000 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (texts, crlf) => {
          const clean = texts.map((t) => t.replace(/[\r\n]/g, ' '));
          const bytes = Buffer.from(clean.join(crlf ? '\r\n' : '\n'));
          await writeFile(file, bytes);
          const lines = await collect(readLines(file));
          // A file that ends with a line break (or is empty) has no empty last line.
          const expected = clean.at(-1) === '' ? clean.slice(0, -1) : clean;
          expect(lines.map((l) => l.text)).toEqual(expected);
          let at = 0;
          for (const [i, l] of lines.entries()) {
            expect(l.offset).toBe(at);
            expect(l.line).toBe(i + 1);
            at += Buffer.byteLength(clean[i]) + (crlf ? 2 : 1);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('readRows hygiene', () => {
  it('JSONL: the BOM does not cost the first row; invalid UTF-8 is a bad row naming file:line and byte', async () => {
    const file = join(dir, 'rows.jsonl');
    const badLine = Buffer.concat([
      Buffer.from('{"id": "b", "text": "caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}'),
    ]);
    await writeFile(
      file,
      Buffer.concat([BOM, Buffer.from('{"id": "a"}\n'), badLine, Buffer.from('\n{"id": "c"}\n')]),
    );
    const rows = await collect(readRows(file));
    expect(rows.map((r) => r.value ?? r.error)).toEqual([
      { id: 'a' },
      'invalid UTF-8 at byte 39',
      { id: 'c' },
    ]);
    expect(rows[1].source).toBe(`${file}:2`);
    // 3 (BOM) + 12 ("{"id": "a"}\n") + 24 bytes before the é.
    expect(rows[1].bytes.equals(badLine)).toBe(true);
    expect(rows.some((r) => JSON.stringify(r.value ?? '').includes('\ufffd'))).toBe(false);
  });

  it('JSON array: BOM dropped; an element with invalid UTF-8 is a bad row, the other elements are read', async () => {
    const good = join(dir, 'bom.json');
    await writeFile(good, Buffer.concat([BOM, Buffer.from('[{"id": "a"},\n {"id": "b"}]')]));
    expect((await collect(readRows(good))).map((r) => [r.source, r.value])).toEqual([
      [`${good}:1`, { id: 'a' }],
      [`${good}:2`, { id: 'b' }],
    ]);
    const bad = join(dir, 'bad.json');
    const element = Buffer.concat([
      Buffer.from('{"id": "b", "t": "'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    await writeFile(
      bad,
      Buffer.concat([BOM, Buffer.from('[\n{"id": "a"},\n'), element, Buffer.from(',\n{"id": "c"}\n]')]),
    );
    const rows = await collect(readRows(bad));
    const at = 3 + '[\n{"id": "a"},\n'.length + '{"id": "b", "t": "'.length;
    expect(rows.map((r) => [r.source, r.value ?? r.error])).toEqual([
      [`${bad}:2`, { id: 'a' }],
      [`${bad}:3`, `invalid UTF-8 at byte ${at}`],
      [`${bad}:4`, { id: 'c' }],
    ]);
    expect(rows[1].bytes.equals(element)).toBe(true);
  });

  it('JSON that is not an array and not UTF-8 is refused naming line and byte', async () => {
    const file = join(dir, 'holder.json');
    await writeFile(
      file,
      Buffer.concat([Buffer.from('{"data": [\n"'), Buffer.from([0xff]), Buffer.from('"]}')]),
    );
    await expect(collect(readRows(file))).rejects.toThrow(/holder\.json:2: invalid UTF-8 at byte 12/);
  });

  it('jsonArrayElements gives each element’s byte range', () => {
    const text = Buffer.from('[ {"a": "],"} , 3,[1,\n2] ]');
    const parts = jsonArrayElements(text).map((e) => [e.line, text.subarray(e.start, e.end).toString()]);
    expect(parts).toEqual([
      [1, '{"a": "],"}'],
      [1, '3'],
      [1, '[1,\n2]'],
    ]);
  });
});

describe('readInstructions: duplicate ids', () => {
  it('a repeat with different content is a dead letter naming both lines; an identical repeat passes', async () => {
    const file = join(dir, 'dups.jsonl');
    await writeFile(file, [row('a'), row('b'), row('a', 'Another problem'), row('b'), ''].join('\n'));
    const items = await collect(readInstructions(file));
    expect(items.map((i) => i.kind)).toEqual(['instruction', 'instruction', 'deadLetter', 'instruction']);
    const dead = items[2] as Extract<(typeof items)[number], { kind: 'deadLetter' }>;
    expect(dead.deadLetter.source).toBe(`${file}:3`);
    expect(dead.deadLetter.reason).toBe(
      `${file}:3: instruction id "a" conflicts with ${file}:1: same id, different content (the first one is kept)`,
    );
    expect(dead.deadLetter.payload.toString()).toBe(row('a', 'Another problem'));
  });

  it('metadata key order is not a difference', async () => {
    const file = join(dir, 'order.jsonl');
    const base = { id: 'm', task: 'Logic', dataset: 'ReClor', instruction: 'q', reference: { answer: 'A' } };
    await writeFile(
      file,
      [
        JSON.stringify({ ...base, metadata: { x: '1', y: '2' } }),
        JSON.stringify({ ...base, metadata: { y: '2', x: '1' } }),
      ].join('\n'),
    );
    expect((await collect(readInstructions(file))).map((i) => i.kind)).toEqual([
      'instruction',
      'instruction',
    ]);
  });

  it('invalid UTF-8 and a BOM reach instructions as a dead letter with the raw bytes and a kept first row', async () => {
    const file = join(dir, 'utf.jsonl');
    const bad = Buffer.concat([
      Buffer.from(row('x').slice(0, 20)),
      Buffer.from([0x80]),
      Buffer.from(row('x').slice(20)),
    ]);
    await writeFile(file, Buffer.concat([BOM, Buffer.from(`${row('a')}\n`), bad]));
    const items = await collect(readInstructions(file));
    expect(items[0]).toMatchObject({ kind: 'instruction', instruction: { id: 'a' } });
    expect(items[1]).toMatchObject({ kind: 'deadLetter', deadLetter: { source: `${file}:2` } });
    const d = (items[1] as Extract<(typeof items)[number], { kind: 'deadLetter' }>).deadLetter;
    expect(d.reason).toBe(`${file}:2: invalid UTF-8 at byte ${3 + row('a').length + 1 + 20}`);
    expect(d.payload.equals(bad)).toBe(true);
  });
});
