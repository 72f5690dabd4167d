import type { Task } from '../../schemas/types.ts';

/**
 * The instruction text of a problem as UltraInteract writes it, by task: Coding starts "Write Python code to solve the
 * task."; Math_CoT asks for steps and a `\boxed{}` answer; Math_PoT announces the Python tool ("stateful Jupyter
 * notebook environment"); Logic asks to solve step by step.
 */
export function ultraInteractPrompt(task: Task, problem: string, lead = ''): string {
  const body = problem.trim();
  switch (task) {
    case 'Coding':
      return `Write Python code to solve the task.\n${lead}${body}`;
    case 'Math_CoT':
      return (
        'Solve the following math problem step-by-step.\n' +
        'Simplify your answer as much as possible. Present your final answer as \\boxed{Your Answer}.\n' +
        `${lead}${body}`
      );
    case 'Math_PoT':
      return (
        'Tool available:\n[1] Python interpreter\n' +
        'When you send a message containing Python code to python, it will be executed in a stateful Jupyter ' +
        'notebook environment.\n' +
        'Solve the following math problem step-by-step.\nSimplify your answer as much as possible.\n' +
        `${lead}${body}`
      );
    case 'Logic':
      return `Solve the following problem step-by-step:\n${lead}${body}`;
  }
}
