import type { StrategySpec } from '../../schemas/types.ts';

const ALL = ['Coding', 'Math_CoT', 'Math_PoT', 'Logic'];

/**
 * The built-in planning strategies, in library order (round-robin walks them in this order, so the paper's pair
 * comes first). Each names the tasks it applies to and what the actor's system message tells it to do; the answer
 * format of the task follows it (pipelines/grow/prompts.ts). Every task gets at least four.
 */
export const builtinStrategies: readonly StrategySpec[] = [
  {
    name: 'chain-of-thought',
    tasks: ALL,
    instruction:
      'Plan with a chain of thought: break the problem into steps marked "Step 1:", "Step 2:", … and work through ' +
      'them in order.',
    weight: 1,
  },
  {
    // Where code runs: the tools are Python functions the interpreter or the tests execute.
    name: 'modular-programming',
    tasks: ['Coding', 'Math_PoT'],
    instruction:
      'Plan with modular programming: first write small, well-named Python functions (tools), each introduced by a ' +
      'step comment such as "# Step 1: …", then solve the task by calling them.',
    weight: 1,
  },
  {
    name: 'decomposition',
    tasks: ALL,
    instruction:
      'Plan by decomposition: split the question into smaller sub-questions, list them as "Step 1:", "Step 2:", …, ' +
      'answer each one in turn, then combine their answers into the answer to the whole question.',
    weight: 1,
  },
  {
    name: 'working-backwards',
    tasks: ['Math_CoT', 'Math_PoT', 'Logic'],
    instruction:
      'Plan by working backwards: start from what is asked, say what you would need to know to answer it, and step ' +
      'back ("Step 1:", "Step 2:", …) until you reach what is given; then go forward from the givens to the answer.',
    weight: 1,
  },
  {
    name: 'case-analysis',
    tasks: ALL,
    instruction:
      'Plan by case analysis: split the problem into cases that together cover every possibility (edge cases ' +
      'included), work through each case step by step ("Step 1:", "Step 2:", …), then combine the cases.',
    weight: 1,
  },
  {
    name: 'estimate-then-verify',
    tasks: ['Math_CoT', 'Math_PoT'],
    instruction:
      'Plan by estimating, then verifying: first estimate the answer roughly (its size, sign or form), then work it ' +
      'out exactly step by step ("Step 1:", "Step 2:", …) and check the result against the estimate and the question.',
    weight: 1,
  },
  {
    name: 'formalise-and-eliminate',
    tasks: ['Logic'],
    instruction:
      'Plan by formalising the premises: restate each premise and the question as short, precise statements, then ' +
      'test every option against them step by step ("Step 1:", "Step 2:", …), eliminating the options the premises ' +
      'rule out until one remains.',
    weight: 1,
  },
];
