import { treeIdOf } from '../../schemas/ids.ts';
import { pushTreeEvent } from '../../schemas/pushTreeEvent.ts';
import type { Instruction, Message, Task, TreeEvent } from '../../schemas/types.ts';
import { seededRandom } from './seededRandom.ts';

/** Trajectory lengths T1..T5 in the paper's Table 1 (UltraInteract): counts of trees by number of turns. */
export const PAPER_TURN_COUNTS = [163_671, 12_199, 4_756, 2_014, 15_063] as const;

const TASKS: readonly { task: Task; datasets: readonly string[]; weight: number }[] = [
  { task: 'Math_CoT', datasets: ['GSM8K', 'MATH', 'MathQA', 'NumGLUE', 'TabMWP'], weight: 0.35 },
  { task: 'Math_PoT', datasets: ['GSM8K', 'MATH', 'MathQA', 'NumGLUE', 'TabMWP'], weight: 0.25 },
  { task: 'Coding', datasets: ['CodeContest', 'TACO', 'Magicoder-Evol-Instruct'], weight: 0.25 },
  { task: 'Logic', datasets: ['ReClor', 'HotpotQA', 'StrategyQA', 'WikiTableQuestions'], weight: 0.15 },
];
const STRATEGIES = ['chain-of-thought', 'modular-programming', 'decompose-then-verify', 'work-backwards'];
const MODELS = ['gpt-3.5-turbo', 'mixtral-8x7b', 'deepseek-coder-33b', 'codellama-34b', 'wizardlm-70b'];
const WORDS =
  'the of and to a in is that for it as with was on be by this are we number value total each step first then find so answer result equation function list input output loop sum product divide multiply remainder case test string integer array index count prime even odd'.split(
    ' ',
  );

export interface SyntheticOptions {
  /** How many trees; default 1000. */
  readonly trees?: number;
  /** PRNG seed; default 1. */
  readonly seed?: number;
  /** Relative counts of trees by trajectory length; default the paper's T1..T5. */
  readonly turnCounts?: readonly number[];
  /** How many trees grow at once (their events interleave as on a live log); default 64. */
  readonly openTrees?: number;
  /** Action text length range in bytes; default 500..4000 as LLM actions are. */
  readonly actionBytes?: readonly [number, number];
  /** Writer id on every event; default 'synthetic'. */
  readonly writer?: string;
}

/**
 * A seeded, realistic stream of tree events for tests and benchmarks: trees follow the paper's rules (a pair per
 * turn, the incorrect action critiqued and expanded, the correct one a leaf; pipelines/assemble/README.md), lengths follow the paper's T1..T5, and
 * events of concurrently growing trees interleave. About 15 events a tree.
 */
export function* syntheticTreeEvents(options: SyntheticOptions = {}): Generator<TreeEvent> {
  const {
    trees = 1000,
    seed = 1,
    turnCounts = PAPER_TURN_COUNTS,
    openTrees = 64,
    actionBytes = [500, 4000],
    writer = 'synthetic',
  } = options;
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const total = turnCounts.reduce((a, b) => a + b, 0);
  const text = (min: number, max: number, prefix = '') => {
    const target = min + Math.floor(rand() * (max - min));
    let out = prefix;
    let step = 1;
    while (out.length < target) {
      out += `Step ${step++}: `;
      for (let i = 0; i < 12 && out.length < target; i++) out += `${pick(WORDS)} `;
      out += '\n';
    }
    return out;
  };
  const lengthOf = () => {
    let r = rand() * total;
    for (const [i, n] of turnCounts.entries()) {
      r -= n;
      if (r < 0) return i + 1;
    }
    return turnCounts.length;
  };

  let time = 1_700_000_000_000;
  const treeEvents = (n: number): TreeEvent[] => {
    const weights = rand();
    let acc = 0;
    const kind =
      TASKS.find((t) => {
        acc += t.weight;
        return acc >= weights;
      }) ?? TASKS[0];
    const instruction: Instruction = {
      id: `synthetic-${seed}-${n}`,
      task: kind.task,
      dataset: pick(kind.datasets),
      instruction: text(
        200,
        1200,
        kind.task === 'Coding'
          ? 'Write Python code to solve the task.\n'
          : 'Solve the following problem step-by-step.\n',
      ),
      reference: {
        answer: kind.task === 'Coding' ? null : String(Math.floor(rand() * 1000)),
        solution: text(100, 600),
        tests:
          kind.task === 'Coding'
            ? [
                { input: '3\n1 2 3\n', output: '6\n' },
                { input: '1\n5\n', output: '5\n' },
              ]
            : null,
        choices: null,
        entryPoint: null,
        testKind: null,
      },
      metadata: { synthetic: 'true' },
    };
    const treeId = treeIdOf(instruction.id);
    const length = lengthOf();
    const solvedAtEnd = length < 5 || rand() < 0.6;
    const events: TreeEvent[] = [];
    const push = (nodeId: string | null, payload: TreeEvent['payload']) => {
      time += 1 + Math.floor(rand() * 50);
      pushTreeEvent(events, { treeId, nodeId, time, writer, payload });
    };
    push(null, {
      kind: 'TreeOpened',
      ownerGroup: null,
      leaseMs: null,
      instruction,
      config: {
        maxTurns: 5,
        actorModels: MODELS.slice(0, 3),
        criticModel: 'gpt-4',
        expandAfterPair: true,
        params: {},
        strategies: null,
      },
    });
    let parentId: string | null = null;
    const history: Message[] = [{ role: 'user', content: instruction.instruction }];
    for (let turn = 1; turn <= length; turn++) {
      const last = turn === length;
      // Each turn: a correct action (except a last turn that stayed unsolved) and one or more incorrect ones.
      const outcomes = [last ? solvedAtEnd : rand() < 0.7, false];
      if (rand() < 0.6) outcomes.push(false);
      if (rand() < 0.25) outcomes.push(false);
      let expanded: string | undefined;
      let expandedAction = '';
      let expandedObservation = '';
      for (const [slot, correct] of outcomes.entries()) {
        const nodeId = `t${turn}.a0.${slot}`;
        const model = slot === 0 ? MODELS[0] : pick(MODELS.slice(1));
        const strategy = pick(STRATEGIES);
        const action = text(actionBytes[0], actionBytes[1]);
        const code =
          instruction.task === 'Coding' || instruction.task === 'Math_PoT'
            ? 'def solve():\n    return 42\nprint(solve())'
            : null;
        const observation = code
          ? correct
            ? '42\n'
            : 'Traceback (most recent call last):\n  ZeroDivisionError: division by zero'
          : '';
        const promptTokens = Math.ceil(history.reduce((a, m) => a + m.content.length, 0) / 4);
        push(nodeId, {
          kind: 'StrategySampled',
          nodeId,
          parentId,
          turn,
          strategy,
          model,
          role: slot === 0 ? 'strong' : 'weak',
          attempt: 0,
          params: { temperature: 1, topP: 1, maxTokens: 1024, seed: null },
          prompt: history.map((m) => ({ ...m })),
          strategyPolicy: null,
        });
        push(nodeId, {
          kind: 'TurnExecuted',
          nodeId,
          action,
          code,
          answer: correct ? instruction.reference.answer : String(Math.floor(rand() * 1000)),
          syntaxOk: true,
          observation,
          promptTokens,
          completionTokens: Math.ceil(action.length / 4),
          latencyMs: 200 + Math.floor(rand() * 3000),
          failure: null,
        });
        push(nodeId, {
          kind: 'VerdictReached',
          nodeId,
          correct,
          grader: instruction.task === 'Coding' ? 'code' : 'math',
          detail: correct ? 'match' : 'mismatch',
          graderVersion: '',
        });
        if (!correct && expanded === undefined && !last) {
          expanded = nodeId;
          expandedAction = action;
          expandedObservation = observation;
        }
      }
      if (expanded) {
        const critique = text(200, 800, 'The error is in ');
        push(expanded, {
          kind: 'CritiqueEmitted',
          nodeId: expanded,
          critique,
          model: 'gpt-4',
          promptTokens: 800,
          completionTokens: Math.ceil(critique.length / 4),
          latencyMs: 500 + Math.floor(rand() * 2000),
        });
        history.push({ role: 'assistant', content: expandedAction });
        history.push({
          role: 'user',
          content: `Out: ${expandedObservation}\nYour answer is wrong.\n${critique}`,
        });
        parentId = expanded;
      }
    }
    push(null, {
      kind: 'TreeClosed',
      outcome: solvedAtEnd ? 'solved' : 'exhausted',
      reason: solvedAtEnd ? 'pair found' : 'max turns',
    });
    return events;
  };

  // Interleave the events of `openTrees` trees growing at once.
  const open: TreeEvent[][] = [];
  let next = 0;
  while (next < trees || open.length) {
    while (open.length < openTrees && next < trees) open.push(treeEvents(next++));
    const i = Math.floor(rand() * open.length);
    const event = open[i].shift()!;
    if (!open[i].length) open.splice(i, 1);
    yield event;
  }
}
