import type { Instruction, Message, Reference, Task } from '../../schemas/types.ts';
import { historyOf } from '../assemble/historyOf.ts';
import type { ValidAction } from '../assemble/isValidAction.ts';
import type { GrowNode } from './growTree.ts';

const FORMAT: Record<Task, string> = {
  Coding:
    'Explain your steps ("Step 1:", "Step 2:" …), then give the whole solution as one ```python code block whose ' +
    'steps are comments ("# Step 5: …"). Read from standard input and print to standard output unless the task ' +
    'gives a function to complete.',
  Math_CoT:
    'Reason step by step ("Step 1:", "Step 2:" …) and present your final answer as \\boxed{Your Answer}.',
  Math_PoT:
    'Reason step by step ("Step 1:", "Step 2:" …). Write Python code in one ```python code block, its steps as ' +
    'comments ("# Step 5: …"); it runs in the Python interpreter and the last value it prints is your answer.',
  Logic:
    'Reason step by step ("Step 1:", "Step 2:" …) and present your final answer as \\boxed{Your Answer}.',
};

/** The reference as text for the critic and the ground-truth step. */
export function referenceText(reference: Reference): string {
  const parts: string[] = [];
  if (reference.answer !== null) parts.push(`Answer: ${reference.answer}`);
  if (reference.choices?.length)
    parts.push(`Options: ${reference.choices.map((c, i) => `${'ABCDEFGH'[i]}. ${c}`).join(' | ')}`);
  if (reference.solution !== null) parts.push(`Solution:\n${reference.solution}`);
  if (reference.entryPoint) parts.push(`Function to implement: ${reference.entryPoint}`);
  if (reference.tests?.length) {
    const shown = reference.tests.slice(0, 3);
    parts.push(
      `Tests (${shown.length} of ${reference.tests.length}):\n` +
        shown.map((t) => `input:\n${t.input}\nexpected output:\n${t.output}`).join('\n---\n'),
    );
  }
  return parts.join('\n\n');
}

/**
 * The trajectory so far as chat messages: assemble's historyOf (the instruction, then each expanded action and its
 * feedback), so the actor sees exactly the turns the exported trajectory has.
 */
export function historyMessages(instruction: Instruction, ancestors: readonly GrowNode[]): Message[] {
  return historyOf(instruction.instruction, ancestors).map((u) => ({ role: u.from, content: u.value }));
}

/**
 * The messages an actor gets: a system message with the planning strategy's instruction (`plan`) and the answer format for the task (and,
 * for the ground-truth step, the reference to work from), then the trajectory so far in UltraInteract's form.
 */
export function actorMessages(
  instruction: Instruction,
  ancestors: readonly GrowNode[],
  plan: string,
  withReference: boolean,
): Message[] {
  let system = `${plan}\n${FORMAT[instruction.task]}`;
  if (withReference) {
    system +=
      '\n\nA reference solution is given below. Use it to write your own correct answer in the format above, ' +
      'reasoning as if you had found it yourself; never mention the reference.\n\n' +
      referenceText(instruction.reference);
  }
  return [{ role: 'system', content: system }, ...historyMessages(instruction, ancestors)];
}

/**
 * The messages the critic gets for an incorrect action: the task, the ground truth, the trajectory before the action,
 * the action and what the environment observed. It is asked to locate the error and suggest a fix without giving the
 * answer away; its reply becomes the critique after "Your answer is wrong.".
 */
export function critiqueMessages(
  instruction: Instruction,
  ancestors: readonly GrowNode[],
  node: ValidAction,
): Message[] {
  const history = historyMessages(instruction, ancestors)
    .slice(1)
    .map((m) => `${m.role === 'assistant' ? 'Student' : 'Feedback'}:\n${m.content}`)
    .join('\n\n');
  const e = node.executed;
  const user = [
    `Task:\n${instruction.instruction}`,
    `Ground truth (for you only):\n${referenceText(instruction.reference)}`,
    history ? `Earlier attempts:\n${history}` : '',
    `Student's latest answer:\n${e.action}`,
    e.code !== null || e.observation ? `Environment output:\n${e.observation}` : '',
    'The answer is wrong. Locate the first wrong step and explain briefly how to fix it. Do not reveal the final answer.',
  ]
    .filter(Boolean)
    .join('\n\n');
  return [
    {
      role: 'system',
      content:
        'You are a strict, helpful teacher who checks step-by-step solutions against the ground truth. Write the ' +
        'critique addressed to the student, in a few sentences.',
    },
    { role: 'user', content: user },
  ];
}
