import type { DuckDBAppender } from '@duckdb/node-api';
import type { LogRecord } from '../../connectors/log/eventLog.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import type { SinkAppenders } from './sinkAppenders.ts';

const text = (a: DuckDBAppender, v: string | null) => (v === null ? a.appendNull() : a.appendVarchar(v));

/**
 * Appends one tree event as a row of its kind's table (columns as analytics/schema.sql), with its log position.
 * `task`/`dataset` are the tree's, denormalised onto strategy_sampled so diversity queries need no join (null when
 * the tree's TreeOpened is not known yet).
 */
export function appendEvent(
  a: SinkAppenders,
  record: LogRecord<TreeEvent>,
  tree: {
    readonly task: string | null;
    readonly dataset: string | null;
    /** The growth the event belongs to (Tree.generation once it is folded in). */
    readonly generation?: number;
  },
  /** VerdictReached: the grower's label when `record` carries a re-verdict's fields instead; default its own. */
  originalCorrect?: boolean,
): void {
  const e = record.value;
  const p = e.payload;
  let t: DuckDBAppender;
  switch (p.kind) {
    case 'TreeOpened':
      t = a.treeOpened;
      t.appendVarchar(e.treeId);
      t.appendVarchar(p.instruction.id);
      t.appendVarchar(p.instruction.task);
      t.appendVarchar(p.instruction.dataset);
      t.appendVarchar(JSON.stringify(p.instruction));
      t.appendVarchar(JSON.stringify(p.config));
      break;
    case 'StrategySampled':
      t = a.strategySampled;
      t.appendVarchar(e.treeId);
      t.appendVarchar(p.nodeId);
      text(t, p.parentId);
      t.appendInteger(p.turn);
      t.appendVarchar(p.strategy);
      t.appendVarchar(p.model);
      t.appendVarchar(p.role);
      t.appendInteger(p.attempt);
      t.appendDouble(p.params.temperature);
      text(t, tree.task);
      text(t, tree.dataset);
      break;
    case 'TurnExecuted':
      t = a.turnExecuted;
      t.appendVarchar(e.treeId);
      t.appendVarchar(p.nodeId);
      t.appendVarchar(p.action);
      text(t, p.code);
      text(t, p.answer);
      t.appendBoolean(p.syntaxOk);
      t.appendVarchar(p.observation);
      t.appendInteger(p.promptTokens);
      t.appendInteger(p.completionTokens);
      t.appendInteger(p.latencyMs);
      text(t, p.failure);
      break;
    case 'VerdictReached':
      t = a.verdictReached;
      t.appendVarchar(e.treeId);
      t.appendVarchar(p.nodeId);
      t.appendBoolean(p.correct);
      t.appendVarchar(p.grader);
      t.appendVarchar(p.detail);
      break;
    case 'CritiqueEmitted':
      t = a.critiqueEmitted;
      t.appendVarchar(e.treeId);
      t.appendVarchar(p.nodeId);
      t.appendVarchar(p.critique);
      t.appendVarchar(p.model);
      t.appendInteger(p.promptTokens);
      t.appendInteger(p.completionTokens);
      t.appendInteger(p.latencyMs);
      break;
    case 'TreeClosed':
      t = a.treeClosed;
      t.appendVarchar(e.treeId);
      t.appendVarchar(p.outcome);
      t.appendVarchar(p.reason);
      break;
    case 'TreeReopened':
      t = a.treeReopened;
      t.appendVarchar(e.treeId);
      t.appendInteger(p.generation);
      t.appendVarchar(p.reason);
      break;
    // The grower's bookkeeping has no table: a raw answer reaches turn_executed with its judgement, and a rejected
    // critique is never used.
    case 'AnswerReceived':
    case 'CritiqueRejected':
      return;
  }
  if (p.kind !== 'StrategySampled' && p.kind !== 'VerdictReached') t.appendBigInt(BigInt(e.time));
  if (p.kind === 'TreeOpened') t.appendVarchar(e.writer);
  t.appendInteger(record.partition);
  t.appendBigInt(BigInt(record.offset));
  if (p.kind === 'StrategySampled') t.appendInteger(tree.generation ?? 0);
  if (p.kind === 'VerdictReached') {
    t.appendVarchar(p.graderVersion);
    t.appendBoolean(originalCorrect ?? p.correct);
  }
  t.endRow();
}
