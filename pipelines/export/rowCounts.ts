/** Counts of the distinct exported records, per task, per dataset and per turn, each sorted by its value. */
export interface RowCounts {
  readonly total: number;
  readonly byTask: readonly (readonly [string, number])[];
  readonly byDataset: readonly (readonly [string, number])[];
  readonly byTurn: readonly (readonly [number, number])[];
}
