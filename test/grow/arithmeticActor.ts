import { createHash } from 'node:crypto';
import type { Instruction } from '../../schemas/types.ts';
import type { ScriptedRequest, ScriptReply } from '../support/scriptedOpenAI.ts';

const PREFIX =
  'Solve the following math problem step-by-step.\nSimplify your answer as much as possible. Present your final answer as \\boxed{Your Answer}.\n';

/** `n` Math_CoT problems "What is a + b?" with their sums as references, ids `<prefix>-<i>`. */
export function arithmeticInstructions(n: number, prefix = 'arith'): Instruction[] {
  return Array.from({ length: n }, (_, i) => {
    const a = 17 * i + 3;
    const b = 29 * i + 11;
    return {
      id: `${prefix}-${i}`,
      task: 'Math_CoT',
      dataset: 'synthetic',
      instruction: `${PREFIX}What is ${a} + ${b}?`,
      reference: {
        answer: String(a + b),
        solution: `${a} + ${b} = ${a + b}`,
        tests: null,
        choices: null,
        entryPoint: null,
        testKind: null,
      },
      metadata: {},
    };
  });
}

/** A number in [0, 1) from the text: the scripted actor's deterministic coin. */
export const coin = (text: string) => createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;

export interface ArithmeticActorOptions {
  /** Chance a model answers right, by model name (default 0.5); ground-truth prompts are always right. */
  readonly skill?: Readonly<Record<string, number>>;
  /** Chance of an empty answer (default 0). */
  readonly empty?: number;
  /** Extra latency in [0, jitterMs) ms, deterministic per request (default 0). */
  readonly jitterMs?: number;
}

/** True when the request is a critique request (see pipelines/grow/prompts.ts). */
export const isCritique = (r: ScriptedRequest) =>
  (r.messages[0]?.content ?? '').startsWith('You are a strict');

/**
 * A scripted actor and critic for arithmeticInstructions: the same request always gets the same answer (the coin is
 * a hash of model, seed and history), so a run after crashes must produce exactly the trees of an uninterrupted run.
 */
export function arithmeticActor({ skill = {}, empty = 0, jitterMs = 0 }: ArithmeticActorOptions = {}) {
  return (r: ScriptedRequest): ScriptReply => {
    const key = `${r.model}|${r.body.seed ?? ''}|${JSON.stringify(r.messages)}`;
    const delayMs = jitterMs ? Math.floor(coin(`delay|${key}`) * jitterMs) : 0;
    if (isCritique(r)) {
      return {
        content: `Step 1 is wrong: the sum is off (${coin(key).toFixed(3)}). Add the two numbers again.`,
        delayMs,
      };
    }
    const user = r.messages.find((m) => m.role === 'user')?.content ?? '';
    const m = /What is (\d+) \+ (\d+)\?/.exec(user);
    if (!m) return { content: 'Step 1: I do not know.', delayMs };
    if (coin(`empty|${key}`) < empty) return { content: '', delayMs };
    const sum = Number(m[1]) + Number(m[2]);
    const given = (r.messages[0]?.content ?? '').includes('A reference solution is given below');
    const right = given || coin(key) < (skill[r.model] ?? 0.5);
    const value = right ? sum : sum + 1 + Math.floor(coin(`off|${key}`) * 9);
    return {
      content: `Step 1: Add ${m[1]} and ${m[2]}.\nStep 2: The sum is ${value}.\nAnswer:\n\\boxed{${value}}`,
      delayMs,
    };
  };
}
