import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ultrainteractGroups } from '../../pipelines/import/ultrainteractGroups.ts';
import type { ImportProblem, UiGroup } from '../../pipelines/import/ultrainteractRows.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-import-hygiene-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sft = (parent: string) =>
  JSON.stringify({
    id: `${'c'.repeat(64)}_${parent}`,
    parent_id: parent,
    task: 'Math_CoT',
    dataset: 'gsm8k',
    instruction: 'Solve the following math problem step-by-step.\nWhat is 2+2?',
    response: 'Step 1: 2+2=4.\nAnswer: \\boxed{4}',
  });

describe('import input hygiene', () => {
  it('a BOM does not cost the first row; a line that is not UTF-8 is a problem with its byte offset and raw bytes', async () => {
    const file = join(dir, 'sft.jsonl');
    const bad = Buffer.concat([
      Buffer.from(sft('p-bad').slice(0, 30)),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from('"}'),
    ]);
    await writeFile(
      file,
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(`${sft('p-1')}\n`),
        bad,
        Buffer.from(`\n${sft('p-2')}\n`),
      ]),
    );
    const problems: ImportProblem[] = [];
    const groups: UiGroup[] = [];
    for await (const g of ultrainteractGroups({
      sftFiles: [file],
      onProblem: (p) => problems.push(p),
      tempDir: dir,
    }))
      groups.push(g);
    expect(groups.map((g) => g.parentId)).toEqual(['p-1', 'p-2']);
    expect(problems).toHaveLength(1);
    expect(problems[0].source).toBe(`${file}:2`);
    expect(problems[0].reason).toBe(`invalid UTF-8 at byte ${3 + sft('p-1').length + 1 + 30}`);
    expect(Buffer.from(problems[0].raw as Uint8Array).equals(bad)).toBe(true);
  });
});
