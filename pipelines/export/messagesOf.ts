import type { Utterance } from '../../schemas/types.ts';

/** A chat message as OpenAI and TRL take it. */
export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

/** UltraInteract utterances (`from` user/assistant) as chat messages (`role`/`content`). */
export function messagesOf(trajectory: readonly Utterance[]): ChatMessage[] {
  return trajectory.map((u) => ({ role: u.from, content: u.value }));
}
