import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { createCas, type SympyCas } from '../../connectors/sandbox/createCas.ts';
import { createSandbox } from '../../connectors/sandbox/createSandbox.ts';
import type { Sandbox } from '../../connectors/sandbox/sandboxTypes.ts';
import { gradeCode } from '../../pipelines/grade/gradeCode.ts';
import { gradeLogic } from '../../pipelines/grade/gradeLogic.ts';
import { gradeMath } from '../../pipelines/grade/gradeMath.ts';
import { ArboretumError, messageOf } from '../../schemas/errors.ts';
import { intFlag, parseFlags, UNSAFE_SANDBOX_FLAGS, unsafeSandbox, wantsHelp } from '../args.ts';
import type { Command } from '../command.ts';
import { jsonLine, writeOut } from '../output.ts';

const help = `arboretum grade — grade math, code and logic answers against references

Usage:
  arboretum grade --batch IN.jsonl [--concurrency N] [--per-test-timeout-ms N] [--python PATH] [--unsafe-sandbox]
      IN.jsonl ('-' for stdin) holds lines
        {"id": …, "task": "math" | "logic", "gold": "…", "pred": "…", "choices": ["…"]?}
        {"id": …, "task": "code", "code": "…", "tests": [{"input": "…", "output": "…"}], "entryPoint": "f"?,
         "testKind": "stdio" | "call" | "assert"?}
      and one line {"id", "correct", "reason"} is printed per input line, in input order. A malformed line
      prints {"id", "error"} (error naming IN.jsonl:LINE) and the rest go on; exit 1 if any line was malformed.
  arboretum grade math --gold G --pred P [--unsafe-sandbox]        one math answer: prints {"correct", "reason"}
  arboretum grade logic --gold G --pred P [--choice C …]   one logic answer

Math: the final answer of a response of any length (reasoning in <think>…</think> set aside; of
\\boxed{}, Final Answer:, The answer is, Answer:, #### n the one written last wins; else the last expression),
compared across number formats and units in TypeScript, and by Math-Verify in a sandboxed worker for
expressions, relations, intervals, sets, equations and matrices (3 s per comparison, then reason
"cas timeout (3000 ms)"). Rules: pipelines/grade/README.md. Math-Verify comes from
scripts/setup.d/25-math-verify.sh.
Code: one sandboxed process per test, --per-test-timeout-ms 4000: stdout compared whitespace-tolerantly (stdio),
the entry point's return value as JSON (call), or each input a test program run after the solution (assert:
HumanEval check(candidate), MBPP asserts). Logic: the response's concluding answer (pipelines/grade/README.md).
--unsafe-sandbox runs the sandbox, sympy and Math-Verify WITHOUT isolation where bubblewrap is unavailable
(--unsafe: deprecated alias).`;

interface Tools {
  sandbox(): Sandbox;
  cas(): SympyCas;
  close(): Promise<void>;
}

function tools(python: string | undefined, unsafe: boolean): Tools {
  let sandbox: Sandbox | null = null;
  let cas: SympyCas | null = null;
  return {
    sandbox: () => {
      sandbox ??= createSandbox({ python, unsafe });
      return sandbox;
    },
    cas: () => {
      cas ??= createCas({ python, unsafe });
      return cas;
    },
    async close() {
      cas?.close();
      await sandbox?.close();
    },
  };
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new Error(`"${field}" must be a string`);
  return v;
}

/** Grades one parsed batch line; throws a plain Error naming the field for a malformed one. */
async function gradeLine(
  row: Record<string, unknown>,
  t: Tools,
  perTestTimeoutMs: number,
): Promise<{ correct: boolean; reason: string }> {
  switch (row.task) {
    case 'math':
      return gradeMath(str(row.gold, 'gold'), str(row.pred, 'pred'), { cas: t.cas() });
    case 'logic': {
      const choices = row.choices === undefined || row.choices === null ? null : row.choices;
      if (choices !== null && (!Array.isArray(choices) || !choices.every((c) => typeof c === 'string'))) {
        throw new Error('"choices" must be an array of strings');
      }
      return gradeLogic(str(row.gold, 'gold'), str(row.pred, 'pred'), choices as string[] | null);
    }
    case 'code': {
      const tests = row.tests;
      if (!Array.isArray(tests)) throw new Error('"tests" must be an array of {input, output}');
      tests.forEach((tc, i) => {
        if (!tc || typeof tc.input !== 'string' || typeof tc.output !== 'string') {
          throw new Error(`tests[${i}] must be {"input": string, "output": string}`);
        }
      });
      const entryPoint =
        row.entryPoint === undefined || row.entryPoint === null ? null : str(row.entryPoint, 'entryPoint');
      const testKind = row.testKind === undefined || row.testKind === null ? null : row.testKind;
      if (testKind !== null && testKind !== 'stdio' && testKind !== 'call' && testKind !== 'assert')
        throw new Error(`"testKind" must be "stdio", "call" or "assert", got ${JSON.stringify(testKind)}`);
      const v = await gradeCode(t.sandbox(), {
        code: str(row.code, 'code'),
        tests,
        entryPoint,
        testKind,
        perTestTimeoutMs,
      });
      return { correct: v.correct, reason: v.reason };
    }
    default:
      throw new Error(`"task" must be "math", "logic" or "code", got ${JSON.stringify(row.task)}`);
  }
}

async function batch(file: string, t: Tools, concurrency: number, perTestTimeoutMs: number): Promise<number> {
  if (file !== '-') {
    await access(file).catch(() => {
      throw new ArboretumError('INVALID_INPUT', `cannot read --batch file ${file}`, { context: { file } });
    });
  }
  const input = file === '-' ? process.stdin : createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const window: Promise<string>[] = [];
  let bad = 0;
  let lineNo = 0;
  const one = async (line: string, at: number): Promise<string> => {
    let id: unknown = null;
    try {
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch (e) {
        throw new Error(`not JSON: ${messageOf(e)}`);
      }
      if (!row || typeof row !== 'object' || Array.isArray(row)) throw new Error('not a JSON object');
      id = (row as Record<string, unknown>).id ?? null;
      const v = await gradeLine(row as Record<string, unknown>, t, perTestTimeoutMs);
      return jsonLine({ id, correct: v.correct, reason: v.reason });
    } catch (e) {
      bad++;
      return jsonLine({ id, error: `${file}:${at}: ${messageOf(e)}` });
    }
  };
  for await (const line of lines) {
    lineNo++;
    if (!line.trim()) continue;
    window.push(one(line, lineNo));
    if (window.length >= concurrency) await writeOut(await window.shift()!);
  }
  while (window.length) await writeOut(await window.shift()!);
  return bad ? 1 : 0;
}

/** `arboretum grade`: batch grading of JSONL, or one math/logic case. */
export const command: Command = {
  name: 'grade',
  summary: 'grade math, code and logic answers against references',
  help,
  subcommands: true,
  async run(argv) {
    const sub = argv[0] === 'math' || argv[0] === 'logic' ? argv[0] : null;
    const rest = sub ? argv.slice(1) : argv;
    if (sub && wantsHelp(rest)) {
      console.log(help);
      return 0;
    }
    const { values, positionals } = parseFlags(rest, {
      batch: { type: 'string' },
      gold: { type: 'string' },
      pred: { type: 'string' },
      choice: { type: 'string', multiple: true },
      concurrency: { type: 'string' },
      'per-test-timeout-ms': { type: 'string' },
      python: { type: 'string' },
      ...UNSAFE_SANDBOX_FLAGS,
    });
    if (positionals.length) {
      throw new ArboretumError(
        'INVALID_INPUT',
        `grade: unexpected argument ${JSON.stringify(positionals[0])}\n\n${help}`,
      );
    }
    const t = tools(values.python, unsafeSandbox('grade', values));
    try {
      if (sub) {
        if (values.gold === undefined || values.pred === undefined) {
          throw new ArboretumError('INVALID_INPUT', `grade ${sub} needs --gold and --pred`);
        }
        const v =
          sub === 'math'
            ? await gradeMath(values.gold, values.pred, { cas: t.cas() })
            : gradeLogic(values.gold, values.pred, values.choice ?? null);
        await writeOut(jsonLine(v));
        return 0;
      }
      if (values.batch === undefined)
        throw new ArboretumError('INVALID_INPUT', `grade needs --batch FILE or a subcommand\n\n${help}`);
      const concurrency = Math.max(1, intFlag('concurrency', values.concurrency, cpus().length * 2));
      return await batch(
        values.batch,
        t,
        concurrency,
        intFlag('per-test-timeout-ms', values['per-test-timeout-ms'], 4000),
      );
    } finally {
      await t.close();
    }
  },
};
