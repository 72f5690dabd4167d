import type { Assembled } from '../assemble/assembled.ts';

/** A trainer-facing row layout: which assembled rows it takes and how each becomes records. */
export interface ExportFormat {
  /** The --format name. */
  readonly name: string;
  /** The kind of assembled row it lays out. */
  readonly kind: Assembled['kind'];
  /** One line for --help and the dataset card. */
  readonly description: string;
  /** The records of one assembled row of `kind` (key order = column order), most often one. */
  records(row: Assembled['row']): object[];
  /** The same records as JSON lines, byte for byte `records(row).map(JSON.stringify)`, built from jsonOfRow. */
  lines(row: Assembled['row']): string[];
  /** The record's columns as a DuckDB from_json structure (JSON text), for Parquet output. */
  readonly structure: string;
}
