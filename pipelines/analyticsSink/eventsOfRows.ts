import { eventIdOf } from '../../schemas/ids.ts';
import type { Outcome, TreeEvent, TreeEventPayload } from '../../schemas/types.ts';

type Row = Record<string, unknown>;

const num = (v: unknown) => Number(v);
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

/**
 * The tree events that the sink's rows of some trees stand for, in log order (partition, offset), rebuilt from the
 * tables of analytics/schema.sql: what evolveTree needs to continue a tree that was open when the last sync ended.
 * Not stored, so not rebuilt: StrategySampled prompts (evolveTree drops them) and sampling params but temperature,
 * and the time of StrategySampled and VerdictReached (0), and seq (a rank per tree, see below); the rows that pairsOf /
 * sftOf decide do not depend on them.
 */
export function eventsOfRows(rows: {
  readonly treeOpened: readonly Row[];
  readonly strategySampled: readonly Row[];
  readonly turnExecuted: readonly Row[];
  readonly verdictReached: readonly Row[];
  readonly critiqueEmitted: readonly Row[];
  readonly treeClosed?: readonly Row[];
  readonly treeReopened?: readonly Row[];
}): { event: TreeEvent; partition: number; offset: number }[] {
  const out: { event: TreeEvent; partition: number; offset: number }[] = [];
  const push = (r: Row, nodeId: string | null, payload: TreeEventPayload) => {
    const treeId = String(r.tree_id);
    out.push({
      event: {
        eventId: eventIdOf(treeId, nodeId, payload.kind),
        treeId,
        seq: 0,
        time: num(r.time ?? 0),
        writer: String(r.writer ?? ''),
        payload,
      },
      partition: num(r.part),
      offset: num(r.off),
    });
  };
  for (const r of rows.treeOpened)
    push(r, null, {
      kind: 'TreeOpened',
      group: null,
      leaseMs: null,
      instruction: JSON.parse(String(r.instruction_json)),
      config: JSON.parse(String(r.config_json)),
    });
  for (const r of rows.strategySampled)
    push(r, String(r.node_id), {
      kind: 'StrategySampled',
      nodeId: String(r.node_id),
      parentId: str(r.parent_id),
      turn: num(r.turn),
      strategy: String(r.strategy),
      model: String(r.model),
      role: String(r.role),
      attempt: num(r.attempt),
      params: { temperature: num(r.temperature), topP: 1, maxTokens: 1024, seed: null },
      prompt: [],
    });
  for (const r of rows.turnExecuted)
    push(r, String(r.node_id), {
      kind: 'TurnExecuted',
      nodeId: String(r.node_id),
      action: String(r.action),
      code: str(r.code),
      answer: str(r.answer),
      syntaxOk: Boolean(r.syntax_ok),
      observation: String(r.observation),
      promptTokens: num(r.prompt_tokens),
      completionTokens: num(r.completion_tokens),
      latencyMs: num(r.latency_ms),
      failure: str(r.failure),
    });
  for (const r of rows.verdictReached)
    push(r, String(r.node_id), {
      kind: 'VerdictReached',
      nodeId: String(r.node_id),
      correct: Boolean(r.correct),
      grader: String(r.grader),
      detail: String(r.detail),
      graderVersion: String(r.grader_version ?? ''),
    });
  for (const r of rows.critiqueEmitted)
    push(r, String(r.node_id), {
      kind: 'CritiqueEmitted',
      nodeId: String(r.node_id),
      critique: String(r.critique),
      model: String(r.model),
      promptTokens: num(r.prompt_tokens),
      completionTokens: num(r.completion_tokens),
      latencyMs: num(r.latency_ms),
    });
  // Closes are stored with their outcome only for trees still open to the sink: those closed `failed`.
  for (const r of rows.treeClosed ?? [])
    push(r, null, { kind: 'TreeClosed', outcome: String(r.outcome) as Outcome, reason: String(r.reason) });
  for (const r of rows.treeReopened ?? [])
    push(r, `g${num(r.generation)}`, {
      kind: 'TreeReopened',
      generation: num(r.generation),
      reason: String(r.reason),
    });
  out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  // seq: the event's rank among its tree's stored events, in log order — never above its seq on the log, and in the
  // same order, which is all evolveTree reads of it (a reopen starts a growth after the events before it).
  const ranks = new Map<string, number>();
  return out.map((o) => {
    const seq = ranks.get(o.event.treeId) ?? 0;
    ranks.set(o.event.treeId, seq + 1);
    return { ...o, event: { ...o.event, seq } };
  });
}
