import type { PreferencePair, SftExample } from '../../schemas/types.ts';
import type { SinkAppenders } from './sinkAppenders.ts';

/**
 * Appends a pair decided by pairsOf as a pair_rows row (texts stay in turn_executed; the pairs view joins them);
 * columns as sinkAppenders' decidedColumns.pair_rows.
 */
export function appendPair(a: SinkAppenders, p: PreferencePair): void {
  const c = a.pairRows.columns;
  c[0].push(p.id);
  c[1].push(p.parentId);
  c[2].push(p.treeId);
  c[3].push(p.task);
  c[4].push(p.dataset);
  c[5].push(p.turn);
  c[6].push(p.chosenNodeId);
  c[7].push(p.rejectedNodeId);
  c[8].push(p.chosenModel);
  c[9].push(p.rejectedModel);
  c[10].push(JSON.stringify(p.trajectory));
  a.pairRows.endRow();
}

/** Appends an SFT row decided by sftOf as an sft_rows row (decidedColumns.sft_rows). */
export function appendSft(a: SinkAppenders, s: SftExample): void {
  const c = a.sftRows.columns;
  c[0].push(s.id);
  c[1].push(s.parentId);
  c[2].push(s.treeId);
  c[3].push(s.task);
  c[4].push(s.dataset);
  c[5].push(s.turn);
  c[6].push(s.nodeId);
  c[7].push(s.model);
  a.sftRows.endRow();
}
