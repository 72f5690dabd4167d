import { codecs, fromJson } from '../../schemas/codec.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import type { TestCase } from '../../schemas/types.ts';
import { contentId, jsonField, metadata, objectRow, optionalText, reference, text } from './adapterFields.ts';
import type { InstructionAdapter } from './instructionAdapter.ts';
import { lastBoxed } from './lastBoxed.ts';
import { ultraInteractPrompt } from './ultraInteractPrompt.ts';

/** Rows already in the canonical Instruction shape (fields with defaults may be left out). */
const canonical: InstructionAdapter = (row) => fromJson(codecs.Instruction, row);

/** GSM8K: `question`, `answer` ending in a `#### 72` line (commas allowed in the number). */
const gsm8k: InstructionAdapter = (raw, { mathTask = 'Math_CoT' }) => {
  const row = objectRow(raw, 'GSM8K');
  const question = text(row, 'question', 'GSM8K');
  const answer = text(row, 'answer', 'GSM8K');
  const m = /####\s*(.+?)\s*$/.exec(answer);
  if (!m)
    throw new ArboretumError('INVALID_INPUT', 'GSM8K: field "answer" has no final "#### <number>" line');
  const instruction = ultraInteractPrompt(mathTask, question);
  return {
    id: optionalText(row, 'id') ?? contentId('GSM8K', question),
    task: mathTask,
    dataset: 'gsm8k',
    instruction,
    reference: reference({ answer: m[1].replace(/,/g, ''), solution: answer.slice(0, m.index).trim() }),
    metadata: {},
  };
};

/** MATH (hendrycks): `problem`, `solution` whose last `\boxed{}` is the answer, `level`, `type`. */
const math: InstructionAdapter = (raw, { mathTask = 'Math_CoT' }) => {
  const row = objectRow(raw, 'MATH');
  const problem = text(row, 'problem', 'MATH');
  const solution = text(row, 'solution', 'MATH');
  const answer = lastBoxed(solution);
  if (answer === null)
    throw new ArboretumError('INVALID_INPUT', 'MATH: field "solution" has no \\boxed{…} answer');
  return {
    id: optionalText(row, 'id') ?? optionalText(row, 'unique_id') ?? contentId('MATH', problem),
    task: mathTask,
    dataset: 'MATH',
    instruction: ultraInteractPrompt(mathTask, problem),
    reference: reference({ answer, solution }),
    metadata: metadata({ level: row.level, type: row.type }),
  };
};

const asText = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : Array.isArray(v) && v.every((x) => typeof x === 'string')
      ? v.join('\n')
      : JSON.stringify(v);

/** APPS / TACO: `question`, `input_output` (JSON: inputs/outputs, optional fn_name), `solutions`, `starter_code`. */
const apps =
  (dataset: string): InstructionAdapter =>
  (raw) => {
    const row = objectRow(raw, dataset);
    const question = text(row, 'question', dataset);
    const io = jsonField(row, 'input_output', dataset) as Record<string, unknown> | null | undefined;
    const inputs = io?.inputs;
    const outputs = io?.outputs;
    if (
      !Array.isArray(inputs) ||
      !Array.isArray(outputs) ||
      inputs.length === 0 ||
      inputs.length !== outputs.length
    ) {
      throw new ArboretumError(
        'INVALID_INPUT',
        `${dataset}: field "input_output" needs "inputs" and "outputs" lists of the same non-zero length`,
      );
    }
    const entryPoint = typeof io?.fn_name === 'string' && io.fn_name ? io.fn_name : null;
    // Call-based tests keep arguments and return values as JSON; stdin tests are text.
    const tests: TestCase[] = inputs.map((input, i) =>
      entryPoint
        ? { input: JSON.stringify(input), output: JSON.stringify(outputs[i]) }
        : { input: asText(input), output: asText(outputs[i]) },
    );
    const solutions = jsonField(row, 'solutions', dataset);
    const solution = Array.isArray(solutions) && typeof solutions[0] === 'string' ? solutions[0] : null;
    const starter = optionalText(row, 'starter_code');
    const problem = starter ? `${question}\n\n${starter}` : question;
    return {
      id: optionalText(row, 'id') ?? optionalText(row, 'problem_id') ?? contentId(dataset, question),
      task: 'Coding',
      dataset,
      instruction: ultraInteractPrompt('Coding', problem),
      reference: reference({ tests, solution, entryPoint }),
      metadata: metadata({ difficulty: row.difficulty, source: row.source, url: row.url }),
    };
  };

/** CodeContests: `name`, `description`, public/private/generated tests `{input: [], output: []}`, `solutions`. */
const codecontests: InstructionAdapter = (raw) => {
  const row = objectRow(raw, 'CodeContests');
  const description = text(row, 'description', 'CodeContests');
  const tests: TestCase[] = [];
  for (const field of ['public_tests', 'private_tests', 'generated_tests']) {
    const t = jsonField(row, field, 'CodeContests') as
      | { input?: unknown; output?: unknown }
      | null
      | undefined;
    if (t === undefined || t === null) continue;
    if (!Array.isArray(t.input) || !Array.isArray(t.output) || t.input.length !== t.output.length) {
      throw new ArboretumError(
        'INVALID_INPUT',
        `CodeContests: field "${field}" needs "input" and "output" lists of the same length`,
      );
    }
    for (let i = 0; i < t.input.length; i++) {
      tests.push({ input: asText(t.input[i]), output: asText((t.output as unknown[])[i]) });
    }
  }
  if (!tests.length)
    throw new ArboretumError(
      'INVALID_INPUT',
      'CodeContests: no tests in public_tests, private_tests or generated_tests',
    );
  const sols = jsonField(row, 'solutions', 'CodeContests') as {
    language?: unknown[];
    solution?: unknown[];
  } | null;
  // Language 3 is PYTHON3 in CodeContests' enum.
  const py = sols?.language?.findIndex((l) => Number(l) === 3) ?? -1;
  const solution = py >= 0 && typeof sols?.solution?.[py] === 'string' ? (sols.solution[py] as string) : null;
  return {
    id: optionalText(row, 'name') ?? contentId('CodeContests', description),
    task: 'Coding',
    dataset: 'CodeContests',
    instruction: ultraInteractPrompt('Coding', description),
    reference: reference({ tests, solution }),
    metadata: metadata({ difficulty: row.difficulty, time_limit: row.time_limit, source: row.source }),
  };
};

/** HumanEval: `task_id`, `prompt` (signature + docstring), `canonical_solution` (the body), `test`, `entry_point`. */
const humaneval: InstructionAdapter = (raw) => {
  const row = objectRow(raw, 'HumanEval');
  const prompt = text(row, 'prompt', 'HumanEval');
  const test = text(row, 'test', 'HumanEval');
  const entryPoint = text(row, 'entry_point', 'HumanEval');
  if (!/^[A-Za-z_]\w*$/.test(entryPoint))
    throw new ArboretumError(
      'INVALID_INPUT',
      `HumanEval: field "entry_point" must be a Python name, got ${JSON.stringify(entryPoint)}`,
    );
  const body = optionalText(row, 'canonical_solution');
  // One assert-style test: the suite's `check(candidate)` called on the entry point, as the official harness.
  const tests: TestCase[] = [{ input: `${test}\n\ncheck(${entryPoint})\n`, output: '' }];
  const problem = `Complete the following Python function.\n\n\`\`\`python\n${prompt.trimEnd()}\n\`\`\``;
  return {
    id: optionalText(row, 'task_id') ?? contentId('HumanEval', prompt),
    task: 'Coding',
    dataset: 'HumanEval',
    instruction: ultraInteractPrompt('Coding', problem),
    reference: reference({
      tests,
      solution: body === undefined ? null : prompt + body,
      entryPoint,
      testKind: 'assert',
    }),
    metadata: {},
  };
};

/**
 * MBPP: `task_id`, `text`, `code`, `test_list` (assert lines), `test_setup_code` (also the sanitized split's
 * `prompt` / `test_imports`). Each assert is one test, run after the solution with the set-up code before it.
 */
const mbpp: InstructionAdapter = (raw) => {
  const row = objectRow(raw, 'MBPP');
  const task = optionalText(row, 'text') ?? text(row, 'prompt', 'MBPP');
  const list = row.test_list;
  if (!Array.isArray(list) || list.length === 0 || !list.every((t) => typeof t === 'string' && t.trim())) {
    throw new ArboretumError(
      'INVALID_INPUT',
      'MBPP: field "test_list" must be a non-empty list of assert lines',
    );
  }
  const imports = Array.isArray(row.test_imports)
    ? row.test_imports.filter((l) => typeof l === 'string')
    : [];
  const setup = (optionalText(row, 'test_setup_code') ?? imports.join('\n')).trim();
  const tests: TestCase[] = (list as string[]).map((t) => ({
    input: setup ? `${setup}\n${t.trim()}\n` : `${t.trim()}\n`,
    output: '',
  }));
  const entryPoint =
    /^\s*assert\s+\(?\s*(?:not\s+)?\(?\s*(?:set\()?\s*([A-Za-z_]\w*)\s*\(/.exec(list[0])?.[1] ?? null;
  // The MBPP paper's prompt: the task and the tests the code must pass (they name the function).
  const problem = `${task.trim()}\nYour code should pass these tests:\n\n${(list as string[]).map((t) => t.trim()).join('\n')}`;
  return {
    id: row.task_id === undefined || row.task_id === null ? contentId('MBPP', task) : `MBPP/${row.task_id}`,
    task: 'Coding',
    dataset: 'MBPP',
    instruction: ultraInteractPrompt('Coding', problem),
    reference: reference({
      tests,
      solution: optionalText(row, 'code') ?? null,
      entryPoint,
      testKind: 'assert',
    }),
    metadata: {},
  };
};

const LETTERS = 'ABCDEFGH';

/** ReClor: `context`, `question`, `answers` (4 options), `label` (0–3), `id_string`. The answer is the letter. */
const reclor: InstructionAdapter = (raw) => {
  const row = objectRow(raw, 'ReClor');
  const context = text(row, 'context', 'ReClor');
  const question = text(row, 'question', 'ReClor');
  const answers = row.answers;
  if (!Array.isArray(answers) || answers.length < 2 || !answers.every((a) => typeof a === 'string')) {
    throw new ArboretumError('INVALID_INPUT', 'ReClor: field "answers" must be a list of option strings');
  }
  const label = Number(row.label);
  if (!Number.isInteger(label) || label < 0 || label >= answers.length) {
    throw new ArboretumError(
      'INVALID_INPUT',
      `ReClor: field "label" must be 0..${answers.length - 1}, got ${JSON.stringify(row.label)}`,
    );
  }
  const options = answers.map((a, i) => `${LETTERS[i]}. ${a}`).join('\n');
  const problem =
    'Given the context and corresponding question, choose the correct answer from the options.\n\n' +
    `Context: \n${context}\n\nQuestion: \n${question}\n\nOptions: \n${options}\n\n`;
  return {
    id: optionalText(row, 'id_string') ?? contentId('ReClor', problem),
    task: 'Logic',
    dataset: 'reclor',
    instruction: ultraInteractPrompt('Logic', problem),
    reference: reference({ answer: LETTERS[label], choices: answers as string[] }),
    metadata: {},
  };
};

/** HotpotQA: `id`, `question`, `answer` (short span), `type`, `level`. */
const hotpotqa: InstructionAdapter = (raw) => {
  const row = objectRow(raw, 'HotpotQA');
  const question = text(row, 'question', 'HotpotQA');
  return {
    id: optionalText(row, 'id') ?? optionalText(row, '_id') ?? contentId('HotpotQA', question),
    task: 'Logic',
    dataset: 'hotpotqa',
    instruction: ultraInteractPrompt(
      'Logic',
      `Answer the following question with a short span.\n${question}`,
    ),
    reference: reference({ answer: text(row, 'answer', 'HotpotQA') }),
    metadata: metadata({ type: row.type, level: row.level }),
  };
};

/** StrategyQA: `qid`, `question`, `answer` (boolean), `facts`. The answer is "True" or "False". */
const strategyqa: InstructionAdapter = (raw) => {
  const row = objectRow(raw, 'StrategyQA');
  const question = text(row, 'question', 'StrategyQA');
  const a = row.answer;
  const answer =
    a === true || a === 'true' || a === 'True'
      ? 'True'
      : a === false || a === 'false' || a === 'False'
        ? 'False'
        : null;
  if (answer === null)
    throw new ArboretumError(
      'INVALID_INPUT',
      `StrategyQA: field "answer" must be a boolean, got ${JSON.stringify(a)}`,
    );
  const facts = Array.isArray(row.facts) ? row.facts.filter((f) => typeof f === 'string').join('\n') : null;
  return {
    id: optionalText(row, 'qid') ?? contentId('StrategyQA', question),
    task: 'Logic',
    dataset: 'strategyqa',
    instruction: ultraInteractPrompt(
      'Logic',
      `Answer the following question with True or False.\n${question}`,
    ),
    reference: reference({ answer, solution: facts || null }),
    metadata: {},
  };
};

/** Every adapter by its --adapter name. */
export const adapters: Readonly<Record<string, InstructionAdapter>> = {
  canonical,
  gsm8k,
  math,
  apps: apps('APPS'),
  taco: apps('TACO'),
  codecontests,
  humaneval,
  mbpp,
  reclor,
  hotpotqa,
  strategyqa,
};
