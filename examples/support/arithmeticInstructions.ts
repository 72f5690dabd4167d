import type { Instruction } from '../../schemas/types.ts';

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
