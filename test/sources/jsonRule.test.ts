import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRows } from '../../connectors/sources/readRows.ts';
import { ultrainteractGroups } from '../../pipelines/import/ultrainteractGroups.ts';
import type { ImportProblem, UiGroup } from '../../pipelines/import/ultrainteractRows.ts';
import { isArboretumError } from '../../schemas/errors.ts';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-json-rule-'));
  dirs.push(dir);
});
async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}
/** An UltraInteract_sft row (the fields the importer checks). */
const sft = (parent: string) => {
  const row: Record<string, string> = { id: `${'c'.repeat(64)}_${parent}`, parent_id: parent };
  Object.assign(row, {
    task: 'Math_CoT',
    dataset: 'gsm8k',
    instruction: 'What is 2+2?',
    response: '\\boxed{4}',
  });
  return row;
};
const groupsOf = async (file: string) => {
  const problems: ImportProblem[] = [];
  const groups: UiGroup[] = await collect(
    ultrainteractGroups({ sftFiles: [file], onProblem: (p) => problems.push(p), tempDir: dir }),
  );
  return { parents: groups.map((g) => g.parentId), problems };
};

describe('one meaning of .json for every command: one JSON document; .jsonl is lines', () => {
  it('import reads a .json array of rows, as submit does, each row named by its line', async () => {
    const file = join(dir, 'sft.json');
    await writeFile(file, `[\n${JSON.stringify(sft('p-2'))},\n${JSON.stringify(sft('p-1'))}\n]\n`);
    const { parents, problems } = await groupsOf(file);
    expect(parents).toEqual(['p-1', 'p-2']);
    expect(problems).toEqual([]);
    expect((await collect(readRows(file))).map((r) => r.source)).toEqual([`${file}:2`, `${file}:3`]);
  });

  it('a .json file of JSON lines (first line a whole object) is read as lines by both readers, nothing lost', async () => {
    const file = join(dir, 'lines.json');
    await writeFile(file, `${JSON.stringify(sft('p-1'))}\nnot json\n${JSON.stringify(sft('p-2'))}\n`);
    const rows = await collect(readRows(file));
    expect(rows.map((r) => [r.source, r.error === undefined])).toEqual([
      [`${file}:1`, true],
      [`${file}:2`, false],
      [`${file}:3`, true],
    ]);
    expect(rows[1].error).toMatch(/^not JSON/);
    const { parents, problems } = await groupsOf(file);
    expect(parents).toEqual(['p-1', 'p-2']);
    expect(problems.map((p) => p.source)).toEqual([`${file}:2`]);
  });

  it('a broken .json document is refused naming the file, the line and the byte offset, and the rule', async () => {
    // Two arrays, one a line: not one document, and not JSON lines of objects. Node stops at byte 4 ("[1]\n" = 4).
    const file = join(dir, 'broken.json');
    await writeFile(file, '[1]\n[2]\n');
    const e = await collect(readRows(file)).catch((x) => x);
    expect(isArboretumError(e, 'INVALID_INPUT')).toBe(true);
    expect(e.message).toContain(`${file}:2: not JSON`);
    expect(e.message).toMatch(/JSON lines go in \.jsonl/);
    expect(e.context).toMatchObject({ file, line: 2, byteOffset: 4 });
    // A parse error without a position still names the file.
    const other = join(dir, 'broken2.json');
    await writeFile(other, '[\n{"id": 1},\n,{"id": 2}]\n');
    const e2 = await collect(readRows(other)).catch((x) => x);
    expect(isArboretumError(e2, 'INVALID_INPUT')).toBe(true);
    expect(e2.context.file).toBe(other);
  });

  it('an unknown extension is refused by import as by submit', async () => {
    const file = join(dir, 'rows.txt');
    await writeFile(file, `${JSON.stringify(sft('p-1'))}\n`);
    await expect(groupsOf(file)).rejects.toThrow(
      /unknown format ".txt" \(expected \.jsonl, \.ndjson, \.json or \.parquet\)/,
    );
  });
});
