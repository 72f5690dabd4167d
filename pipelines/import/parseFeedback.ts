import { VERBATIM_CRITIC } from '../assemble/feedbackOf.ts';

const WRONG = '\nYour answer is wrong.\n';
const WRONG_FIRST = 'Your answer is wrong.\n';

/** The facts a feedback turn carries, such that feedbackOf gives the same text back. */
export interface Feedback {
  readonly observation: string;
  /** '' when an `Out:` line shows code ran (the code itself is not in the public data), else null. */
  readonly code: string | null;
  readonly critique: string;
  readonly critic: string;
}

/**
 * Splits an UltraInteract feedback turn `Out: <observation>\nYour answer is wrong.\n<critique>` (or without the
 * `Out:` line) into its parts; any other text is kept whole as a verbatim critique (critic VERBATIM_CRITIC).
 */
export function parseFeedback(text: string): Feedback {
  if (text.startsWith('Out: ')) {
    const at = text.indexOf(WRONG);
    if (at >= 0) {
      return {
        observation: text.slice(5, at),
        code: '',
        critique: text.slice(at + WRONG.length),
        critic: 'ultrainteract',
      };
    }
  } else if (text.startsWith(WRONG_FIRST)) {
    return { observation: '', code: null, critique: text.slice(WRONG_FIRST.length), critic: 'ultrainteract' };
  }
  return { observation: '', code: null, critique: text, critic: VERBATIM_CRITIC };
}
