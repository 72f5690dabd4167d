import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { adapters } from '../../connectors/sources/adapters.ts';
import { jsonArrayLines } from '../../connectors/sources/jsonArrayLines.ts';
import { lastBoxed } from '../../connectors/sources/lastBoxed.ts';
import { readInstructions } from '../../connectors/sources/readInstructions.ts';
import type { SourceItem } from '../../connectors/sources/sourceItem.ts';
import { submitFile } from '../../pipelines/append/submitFile.ts';
import { treeIdOf } from '../../schemas/ids.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arb-sources-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const collect = async (it: AsyncIterable<SourceItem>) => {
  const out: SourceItem[] = [];
  for await (const x of it) out.push(x);
  return out;
};
const jsonl = (rows: unknown[]) =>
  rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');

const canonicalRow = (id: string) => ({
  id,
  task: 'Math_CoT',
  dataset: 'GSM8K',
  instruction: `Problem ${id}`,
  reference: { answer: '4' },
});

describe('readInstructions', () => {
  it('reads canonical JSONL; bad lines become dead letters naming file and line, the rest go on', async () => {
    const file = join(dir, 'canon.jsonl');
    await writeFile(
      file,
      jsonl([
        canonicalRow('a'),
        '{not json',
        { ...canonicalRow('b'), task: 'Cooking' },
        '',
        canonicalRow('c'),
      ]),
    );
    const items = await collect(readInstructions(file));
    expect(items.map((i) => i.kind)).toEqual(['instruction', 'deadLetter', 'deadLetter', 'instruction']);
    const [a, bad1, bad2, c] = items as any[];
    expect(a.instruction).toMatchObject({ id: 'a', reference: { answer: '4', tests: null }, metadata: {} });
    expect(a.source).toBe(`${file}:1`);
    expect(bad1.deadLetter).toMatchObject({ topic: 'instructions', source: `${file}:2` });
    expect(bad1.deadLetter.reason).toMatch(/canon\.jsonl:2: not JSON/);
    expect(bad1.deadLetter.payload.toString()).toBe('{not json');
    expect(bad2.deadLetter.reason).toMatch(/canon\.jsonl:3: .*task.*Coding, Math_CoT/);
    expect(c.source).toBe(`${file}:5`);
  });

  it('reads a JSON array and names the line of a bad element', async () => {
    const file = join(dir, 'canon.json');
    await writeFile(
      file,
      `[\n  ${JSON.stringify(canonicalRow('x'))},\n  {"id": "y",\n   "task": "Math_CoT"}\n]\n`,
    );
    const items = await collect(readInstructions(file));
    expect(items[0]).toMatchObject({ kind: 'instruction', source: `${file}:2` });
    expect(items[1]).toMatchObject({ kind: 'deadLetter', deadLetter: { source: `${file}:3` } });
    expect((items[1] as any).deadLetter.reason).toMatch(/dataset|instruction/);
  });

  it('reads Parquet through DuckDB with row numbers, through an adapter', async () => {
    const file = join(dir, 'gsm8k.parquet');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(
      `COPY (SELECT * FROM (VALUES ('Tom has 3 apples and buys 4. How many?', 'He has 3+4=7\n#### 7'),
                                   ('broken row', 'no final line'),
                                   ('Sum 1000 and 234', '1000+234\n#### 1,234')) t(question, answer))
       TO '${file}' (FORMAT parquet)`,
    );
    conn.closeSync();
    db.closeSync();
    const items = await collect(readInstructions(file, { adapter: 'gsm8k' }));
    expect(items.map((i) => i.kind)).toEqual(['instruction', 'deadLetter', 'instruction']);
    expect((items[0] as any).instruction.reference.answer).toBe('7');
    expect((items[1] as any).deadLetter.source).toBe(`${file}:row 2`);
    expect((items[1] as any).deadLetter.reason).toMatch(/####/);
    expect((items[2] as any).instruction.reference.answer).toBe('1234');
  });

  it('refuses an unknown adapter and an unknown extension up front', async () => {
    await expect(collect(readInstructions(join(dir, 'x.jsonl'), { adapter: 'nope' }))).rejects.toThrow(
      /unknown adapter "nope"; known: canonical, gsm8k/,
    );
    await expect(collect(readInstructions(join(dir, 'x.csv')))).rejects.toThrow(/x\.csv: unknown format/);
  });
});

describe('adapters', () => {
  const opts = {};
  it('gsm8k: the #### answer without commas, worked solution kept, Math_CoT prompt (or Math_PoT)', () => {
    const i = adapters.gsm8k({ question: 'What is 6*7?', answer: 'Six sevens.\n#### 42' }, opts);
    expect(i).toMatchObject({
      task: 'Math_CoT',
      dataset: 'gsm8k',
      reference: { answer: '42', solution: 'Six sevens.' },
    });
    expect(i.instruction).toMatch(
      /^Solve the following math problem step-by-step\.\n.*\\boxed\{Your Answer\}\.\nWhat is 6\*7\?$/s,
    );
    expect(i.id).toMatch(/^gsm8k-[0-9a-f]{16}$/);
    const pot = adapters.gsm8k({ question: 'What is 6*7?', answer: '#### 42' }, { mathTask: 'Math_PoT' });
    expect(pot.task).toBe('Math_PoT');
    expect(pot.instruction).toMatch(/stateful Jupyter notebook environment/);
  });

  it('math: the last \\boxed{} with nested braces', () => {
    const i = adapters.math(
      {
        problem: 'Simplify.',
        solution: 'First \\boxed{1}, then $\\boxed{\\frac{1}{2}}$.',
        level: 'Level 3',
        type: 'Algebra',
      },
      opts,
    );
    expect(i.reference.answer).toBe('\\frac{1}{2}');
    expect(i.metadata).toEqual({ level: 'Level 3', type: 'Algebra' });
    expect(() => adapters.math({ problem: 'p', solution: 'no box' }, opts)).toThrow(/no \\boxed/);
    expect(lastBoxed('\\boxed{a\\{b}')).toBe('a\\{b');
    expect(lastBoxed('\\boxed 5$')).toBe('5');
  });

  it('apps/taco: stdin tests as text, call-based tests as JSON with the entry point', () => {
    const stdin = adapters.apps(
      {
        problem_id: 17,
        question: 'Read n, print n+1.',
        input_output: JSON.stringify({ inputs: ['1\n', ['2', '3']], outputs: ['2\n', '3\n'] }),
        solutions: JSON.stringify(['print(int(input())+1)']),
      },
      opts,
    );
    expect(stdin).toMatchObject({ id: '17', task: 'Coding', dataset: 'APPS' });
    expect(stdin.reference.tests).toEqual([
      { input: '1\n', output: '2\n' },
      { input: '2\n3', output: '3\n' },
    ]);
    expect(stdin.reference.solution).toBe('print(int(input())+1)');
    expect(stdin.instruction.startsWith('Write Python code to solve the task.\n')).toBe(true);
    const call = adapters.taco(
      {
        question: 'Add.',
        starter_code: 'def add(a, b):',
        input_output: { fn_name: 'add', inputs: [[1, 2]], outputs: [[3]] },
      },
      opts,
    );
    expect(call.reference).toMatchObject({ entryPoint: 'add', tests: [{ input: '[1,2]', output: '[3]' }] });
    expect(call.instruction).toMatch(/Add\.\n\ndef add\(a, b\):$/);
    expect(() =>
      adapters.apps({ question: 'q', input_output: '{"inputs": [1], "outputs": []}' }, opts),
    ).toThrow(/input_output/);
    expect(() => adapters.apps({ question: 'q', input_output: '{oops' }, opts)).toThrow(
      /"input_output" is not valid JSON/,
    );
  });

  it('codecontests: all test sets, the Python 3 solution', () => {
    const i = adapters.codecontests(
      {
        name: '1548_A',
        description: 'Print the sum.',
        public_tests: { input: ['1 2\n'], output: ['3\n'] },
        private_tests: { input: ['2 2\n'], output: ['4\n'] },
        generated_tests: { input: [], output: [] },
        solutions: { language: [2, 3], solution: ['int main(){}', 'print(sum(map(int,input().split())))'] },
      },
      opts,
    );
    expect(i).toMatchObject({ id: '1548_A', dataset: 'CodeContests' });
    expect(i.reference.tests).toHaveLength(2);
    expect(i.reference.solution).toMatch(/^print/);
  });

  it('humaneval: one assert-style test calling check(entry_point), prompt + body as the solution', () => {
    const i = adapters.humaneval(
      {
        task_id: 'HumanEval/53',
        prompt: 'def add(x: int, y: int):\n    """Add two numbers x and y"""\n',
        canonical_solution: '    return x + y\n',
        test: 'def check(candidate):\n    assert candidate(2, 3) == 5\n',
        entry_point: 'add',
      },
      opts,
    );
    expect(i).toMatchObject({ id: 'HumanEval/53', task: 'Coding', dataset: 'HumanEval' });
    expect(i.reference).toMatchObject({
      testKind: 'assert',
      entryPoint: 'add',
      solution: 'def add(x: int, y: int):\n    """Add two numbers x and y"""\n    return x + y\n',
      tests: [
        { input: 'def check(candidate):\n    assert candidate(2, 3) == 5\n\n\ncheck(add)\n', output: '' },
      ],
    });
    expect(i.instruction).toContain('def add(x: int, y: int):');
    expect(() => adapters.humaneval({ prompt: 'p', test: 't', entry_point: 'not a name' }, opts)).toThrow(
      /HumanEval: field "entry_point" must be a Python name/,
    );
    expect(() => adapters.humaneval({ prompt: 'p', entry_point: 'f' }, opts)).toThrow(
      /HumanEval: field "test"/,
    );
  });

  it('mbpp: each assert of test_list one test, set-up code before it, the function named from the asserts', () => {
    const i = adapters.mbpp(
      {
        task_id: 2,
        text: 'Write a function to find the shared elements from the given two lists.',
        code: 'def similar_elements(test_tup1, test_tup2):\n  res = tuple(set(test_tup1) & set(test_tup2))\n  return (res) ',
        test_list: [
          'assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))',
          'assert set(similar_elements((1, 2, 3, 4),(5, 4, 3, 7))) == set((3, 4))',
        ],
        test_setup_code: 'import math',
      },
      opts,
    );
    expect(i).toMatchObject({ id: 'MBPP/2', task: 'Coding', dataset: 'MBPP' });
    expect(i.reference).toMatchObject({ testKind: 'assert', entryPoint: 'similar_elements' });
    expect(i.reference.tests).toEqual([
      {
        input: 'import math\nassert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))\n',
        output: '',
      },
      {
        input: 'import math\nassert set(similar_elements((1, 2, 3, 4),(5, 4, 3, 7))) == set((3, 4))\n',
        output: '',
      },
    ]);
    expect(i.instruction).toContain('Your code should pass these tests:');
    // The sanitized split names its fields prompt / test_imports.
    const sanitized = adapters.mbpp(
      {
        task_id: 3,
        prompt: 'Is n not prime?',
        test_list: ['assert is_not_prime(2) == False'],
        test_imports: [],
      },
      opts,
    );
    expect(sanitized.reference.tests).toEqual([{ input: 'assert is_not_prime(2) == False\n', output: '' }]);
    expect(() => adapters.mbpp({ task_id: 4, text: 't', test_list: [] }, opts)).toThrow(
      /MBPP: field "test_list" must be a non-empty list of assert lines/,
    );
  });

  it('reclor, hotpotqa, strategyqa: Logic with the answer', () => {
    const r = adapters.reclor(
      {
        context: 'All A are B.',
        question: 'Which follows?',
        answers: ['w', 'x', 'y', 'z'],
        label: 2,
        id_string: 'train_1',
      },
      opts,
    );
    expect(r).toMatchObject({
      id: 'train_1',
      task: 'Logic',
      reference: { answer: 'C', choices: ['w', 'x', 'y', 'z'] },
    });
    expect(r.instruction).toMatch(/Options: \nA\. w\nB\. x\nC\. y\nD\. z/);
    expect(() =>
      adapters.reclor({ context: 'c', question: 'q', answers: ['a', 'b'], label: 5 }, opts),
    ).toThrow(/"label" must be 0\.\.1/);
    const h = adapters.hotpotqa(
      { id: 'h1', question: 'Who?', answer: 'Ada', type: 'bridge', level: 'hard' },
      opts,
    );
    expect(h).toMatchObject({
      id: 'h1',
      reference: { answer: 'Ada' },
      metadata: { type: 'bridge', level: 'hard' },
    });
    const s = adapters.strategyqa(
      { qid: 's1', question: 'Is ice cold?', answer: true, facts: ['Ice is frozen.'] },
      opts,
    );
    expect(s.reference).toMatchObject({ answer: 'True', solution: 'Ice is frozen.' });
    expect(() => adapters.strategyqa({ question: 'q', answer: 'maybe' }, opts)).toThrow(
      /"answer" must be a boolean/,
    );
  });
});

describe('submitFile', () => {
  it('appends instructions keyed by tree id and dead letters to their topic', async () => {
    const file = join(dir, 'sub.jsonl');
    await writeFile(
      file,
      jsonl([{ question: 'q1', answer: '#### 1' }, { question: 'q2' }, { question: 'q3', answer: '#### 3' }]),
    );
    const log = createFileEventLog({ dir: join(dir, 'log'), fsync: 'never' });
    try {
      const out = await submitFile(log, file, { adapter: 'gsm8k' });
      expect(out.appended).toBe(2);
      expect(out.deadLetters).toHaveLength(1);
      const recs = await lastValueFrom(log.read(topics.instructions).pipe(toArray()));
      expect(recs.map((r) => r.key)).toEqual(recs.map((r) => treeIdOf(r.value.id)));
      const dead = await lastValueFrom(log.read(topics.deadLetters).pipe(toArray()));
      expect(dead[0].value.source).toBe(`${file}:2`);
      expect(dead[0].value.reason).toMatch(/"answer" must be a non-empty string, got nothing/);
    } finally {
      await log.close();
    }
  });
});

describe('jsonArrayLines', () => {
  it('finds the start line of each top-level element, ignoring brackets in strings', () => {
    expect(jsonArrayLines('[\n{"a": "]["},\n\n 3, [1,\n2]\n]')).toEqual([2, 4, 4]);
    expect(jsonArrayLines('{"a": 1}')).toEqual([]);
    expect(jsonArrayLines('[]')).toEqual([]);
  });
});
