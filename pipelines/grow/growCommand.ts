import type { ChatRequest } from '../../connectors/llm/llmClient.ts';
import type { AnswerReceived, TreeEventPayload } from '../../schemas/types.ts';

/** A chat call as the decider plans it; the interpreter adds the AbortSignal. */
export type ChatCall = Omit<ChatRequest, 'signal'> & { readonly requestId: string };

/**
 * What a tree needs done next (decide's output; see runTree for the interpreter). Each command says which events
 * its result becomes:
 * - `open`: TreeOpened with the instruction the interpreter holds and the run's config.
 * - `append`: these events as they are (intents of a wave, a failed action's judgement, TreeClosed).
 * - `ask`: an actor call → AnswerReceived, appended the moment it arrives; nothing else is done with the answer
 *   before it is on the log (the `judge` command comes from the log).
 * - `judge`: sandbox + graders on an answer → TurnExecuted + VerdictReached, appended in plan order: only when
 *   `first` (every earlier action of the wave is judged on the log); a later one may be judged meanwhile.
 * - `critique`: a critic call → CritiqueEmitted, or CritiqueRejected when the gate refuses it.
 */
export type GrowCommand =
  | { readonly kind: 'open' }
  | { readonly kind: 'append'; readonly payloads: readonly TreeEventPayload[] }
  | { readonly kind: 'ask'; readonly nodeId: string; readonly call: ChatCall }
  | {
      readonly kind: 'judge';
      readonly nodeId: string;
      readonly turn: number;
      readonly answer: AnswerReceived;
      /** Code of the expanded actions above this one, root first (the notebook it runs after). */
      readonly priorCells: readonly string[];
      readonly first: boolean;
      /** The log has its TurnExecuted already (an older log): only VerdictReached is missing. */
      readonly verdictOnly: boolean;
    }
  | {
      readonly kind: 'critique';
      readonly nodeId: string;
      /** 0-based: how many critiques of this node the gate rejected before. */
      readonly attempt: number;
      readonly call: ChatCall;
      /** The reference answer normalised, for the gate (null: not checked). */
      readonly gold: string | null;
    };
