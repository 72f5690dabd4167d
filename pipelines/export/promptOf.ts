import type { PreferencePair, SftExample } from '../../schemas/types.ts';
import type { Assembled } from '../assemble/assembled.ts';
import type { RmPair } from '../assemble/rmPairsOf.ts';
import type { ChatMessage } from './messagesOf.ts';
import { NO_CONTEXT, type RowContext } from './rowContext.ts';

/** Utterances as chat messages (module level: tsx names a closure made per call with `__name`, ~1.6 µs each). */
const toMessage = (m: { readonly from: string; readonly value: string }): ChatMessage => ({
  role: m.from,
  content: m.value,
});
const asMessages = (u: readonly { from: string; value: string }[]): ChatMessage[] => u.map(toMessage);
/** An action's own history after the instruction (with --context trajectory), as messages. */
const laterOf = (ctx: RowContext, nodeId: string): ChatMessage[] =>
  asMessages(ctx.history?.(nodeId)?.slice(1) ?? []);

/**
 * The prompt of a row as chat messages, and the messages before each completion: pairs → the system message (if
 * any) and the trajectory; SFT rows → the system message and the instruction, or with --context trajectory the
 * history the action was written in; RM pairs → the system message and the instruction, and with --context
 * trajectory each action's own later history (after the instruction) goes before it, in `chosenBefore` /
 * `rejectedBefore`, so the shared prompt stays shared.
 */
export function promptOf(
  row: Assembled['row'],
  ctx: RowContext = NO_CONTEXT,
): {
  readonly prompt: ChatMessage[];
  readonly chosenBefore: ChatMessage[];
  readonly rejectedBefore: ChatMessage[];
} {
  const system: ChatMessage[] = ctx.system === null ? [] : [{ role: 'system', content: ctx.system }];
  if ('trajectory' in row) {
    const p = row as PreferencePair;
    return { prompt: [...system, ...asMessages(p.trajectory)], chosenBefore: [], rejectedBefore: [] };
  }
  const instruction: ChatMessage[] = [{ role: 'user', content: row.instruction }];
  if ('response' in row) {
    const history = ctx.history?.((row as SftExample).nodeId) ?? null;
    return {
      prompt: [...system, ...(history ? asMessages(history) : instruction)],
      chosenBefore: [],
      rejectedBefore: [],
    };
  }
  const rm = row as RmPair;
  return {
    prompt: [...system, ...instruction],
    chosenBefore: laterOf(ctx, rm.chosenNodeId),
    rejectedBefore: laterOf(ctx, rm.rejectedNodeId),
  };
}
