import type { PreferencePair, SftExample } from '../../schemas/types.ts';
import type { SinkAppenders } from './sinkAppenders.ts';

/** Appends a pair decided by pairsOf as a pair_rows row (texts stay in turn_executed; the pairs view joins them). */
export function appendPair(a: SinkAppenders, p: PreferencePair): void {
  const t = a.pairRows;
  t.appendVarchar(p.id);
  t.appendVarchar(p.parentId);
  t.appendVarchar(p.treeId);
  t.appendVarchar(p.task);
  t.appendVarchar(p.dataset);
  t.appendInteger(p.turn);
  t.appendVarchar(p.chosenNodeId);
  t.appendVarchar(p.rejectedNodeId);
  t.appendVarchar(p.chosenModel);
  t.appendVarchar(p.rejectedModel);
  t.appendVarchar(JSON.stringify(p.trajectory));
  t.endRow();
}

/** Appends an SFT row decided by sftOf as an sft_rows row. */
export function appendSft(a: SinkAppenders, s: SftExample): void {
  const t = a.sftRows;
  t.appendVarchar(s.id);
  t.appendVarchar(s.parentId);
  t.appendVarchar(s.treeId);
  t.appendVarchar(s.task);
  t.appendVarchar(s.dataset);
  t.appendInteger(s.turn);
  t.appendVarchar(s.nodeId);
  t.appendVarchar(s.model);
  t.endRow();
}
