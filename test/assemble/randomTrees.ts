import fc from 'fast-check';
import type { TreeEvent } from '../../schemas/types.ts';
import { treeScript } from './treeScript.ts';

interface ActionShape {
  readonly correct: boolean;
  readonly flaw: 'none' | 'syntax' | 'failure';
}

export interface TreeShape {
  readonly turns: readonly (readonly ActionShape[])[];
  readonly closed: boolean;
}

const actionShape: fc.Arbitrary<ActionShape> = fc.record({
  correct: fc.boolean(),
  flaw: fc.constantFrom<ActionShape['flaw']>('none', 'none', 'none', 'none', 'syntax', 'failure'),
});

/** Small random preference trees: 1..4 turns of 1..4 actions, each turn continuing the first valid incorrect one. */
export const treeShape: fc.Arbitrary<TreeShape> = fc.record({
  turns: fc.array(fc.array(actionShape, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
  closed: fc.boolean(),
});

/** The events the grower would write for a shape. */
export function eventsOf(name: string, shape: TreeShape): TreeEvent[] {
  const s = treeScript(name, { text: `Instruction ${name}` }).open();
  growth(s, name, shape);
  if (shape.closed) s.close(shape.turns.length > 1 ? 'solved' : 'exhausted');
  return s.events;
}

interface GrowthOptions {
  /** Log AnswerReceived before each TurnExecuted (grow's answer-first mode). */
  readonly answerFirst?: boolean;
  /** Critiques the gate rejects before each accepted one. */
  readonly rejections?: number;
}

/** One growth of a shape: each turn's actions, then the critique of its first valid incorrect action. */
function growth(
  s: ReturnType<typeof treeScript>,
  prefix: string,
  shape: TreeShape,
  { answerFirst = false, rejections = 0 }: GrowthOptions = {},
): void {
  let parent: string | null = null;
  for (let t = 0; t < shape.turns.length; t++) {
    const turn = t + 1;
    let expand: string | null = null;
    shape.turns[t].forEach((a, i) => {
      const nodeId = `${prefix}-t${turn}-${i}`;
      const spec = {
        parent,
        turn,
        correct: a.correct,
        action: `${nodeId} says ${a.correct ? 'right' : 'wrong'}`,
        observation: a.correct ? '' : `out ${nodeId}`,
        syntaxOk: a.flaw !== 'syntax',
        failure: a.flaw === 'failure' ? 'malformed' : null,
      };
      if (answerFirst) s.sample(nodeId, spec).answer(nodeId, spec.action).execute(nodeId, spec);
      else s.sample(nodeId, spec).execute(nodeId, spec);
      s.judge(nodeId, a.correct);
      if (expand === null && !a.correct && a.flaw === 'none') expand = nodeId;
    });
    if (expand === null || t === shape.turns.length - 1) break;
    for (let r = 0; r < rejections; r++) s.rejectCritique(expand, r);
    s.critique(expand, `critique of ${expand}`);
    parent = expand;
  }
}

export interface GrowShape {
  readonly shape: TreeShape;
  readonly answerFirst: boolean;
  readonly rejections: number;
  /** A first growth that closes `failed` (its actions all incorrect or invalid, or none correct), then a reopen. */
  readonly failedFirst: TreeShape | null;
}

/** Trees as the grower writes them: answer-first records, rejected critiques, a failed growth grown again. */
export const growShape: fc.Arbitrary<GrowShape> = fc.record({
  shape: treeShape,
  answerFirst: fc.boolean(),
  rejections: fc.nat({ max: 2 }),
  failedFirst: fc.option(treeShape, { nil: null }),
});

/** The events the grower would write for a grow shape. */
export function growEventsOf(name: string, g: GrowShape): TreeEvent[] {
  const s = treeScript(name, { text: `Instruction ${name}` }).open();
  const options = { answerFirst: g.answerFirst, rejections: g.rejections };
  if (g.failedFirst) {
    // Closed `failed` whatever it holds: reopenable only when it has no valid correct action.
    growth(s, `${name}-g0`, g.failedFirst, options);
    s.close('failed').reopen();
  }
  growth(s, name, g.shape, options);
  if (g.shape.closed) s.close(g.shape.turns.length > 1 ? 'solved' : 'failed');
  return s.events;
}

/**
 * Merges per-tree event lists into one log, keeping each tree's order, picking the next tree by `choices`, and
 * re-delivers events: each `repeat` copies the event at `at` to `later` positions after it.
 */
export function interleave(
  trees: readonly (readonly TreeEvent[])[],
  choices: readonly number[],
  repeats: readonly { at: number; later: number }[],
): TreeEvent[] {
  const queues = trees.map((t) => [...t]);
  const log: TreeEvent[] = [];
  let c = 0;
  while (queues.some((q) => q.length)) {
    const open = queues.filter((q) => q.length);
    log.push(open[(choices[c++ % Math.max(1, choices.length)] ?? 0) % open.length].shift()!);
  }
  for (const { at, later } of repeats) {
    if (!log.length) break;
    const i = at % log.length;
    log.splice(Math.min(log.length, i + 1 + later), 0, log[i]);
  }
  return log;
}

/** Logs of 1..`maxTrees` random trees, interleaved and with re-deliveries (see interleave). */
function logsOf<S>(
  shape: fc.Arbitrary<S>,
  maxTrees: number,
  eventsOfShape: (name: string, s: S) => TreeEvent[],
) {
  return fc
    .record({
      shapes: fc.array(shape, { minLength: 1, maxLength: maxTrees }),
      choices: fc.array(fc.nat(), { maxLength: 60 }),
      repeats: fc.array(fc.record({ at: fc.nat(), later: fc.nat({ max: 40 }) }), { maxLength: 20 }),
    })
    .map(({ shapes, choices, repeats }) => {
      const trees = shapes.map((s, i) => eventsOfShape(`tree${i}`, s));
      return { trees, log: interleave(trees, choices, repeats) };
    });
}

export const logArb = logsOf(treeShape, 5, eventsOf);

/** A log of grow-shaped trees (see growShape), interleaved and with repeats, as logArb. */
export const growLogArb = logsOf(growShape, 4, growEventsOf);
