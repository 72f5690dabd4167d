import type { Assembled } from '../assemble/assembled.ts';
import type { ByteSink } from './byteSink.ts';
import type { RowBytes } from './rowBytes.ts';
import type { RowContext } from './rowContext.ts';

/** How a trainer treats a row longer than its max_length: which length it checks and what it does then. */
export interface OverLength {
  /** 'prompt': rows whose prompt alone is longer are dropped; 'total': prompt + longest completion is checked. */
  readonly measure: 'prompt' | 'total';
  /** What happens to such rows, for the warning and the card (e.g. "dropped by TRL's DPOTrainer"). */
  readonly effect: string;
}

/** A trainer-facing row layout: which assembled rows it takes and how each becomes records. */
export interface ExportFormat {
  /** The --format name. */
  readonly name: string;
  /** The kind of assembled row it lays out. */
  readonly kind: Assembled['kind'];
  /** One line for --help and the dataset card. */
  readonly description: string;
  /** Each column as written, with what it holds (the dataset card lists these). */
  readonly columns: readonly (readonly [name: string, meaning: string])[];
  /** Which export flags the format can honour: a system message (--system-prompt), --context trajectory. */
  readonly accepts: { readonly system: boolean; readonly context: boolean };
  /** How the trainer this format is for treats long rows. */
  readonly overLength: OverLength;
  /**
   * True when rows must be spread so that no nearby rows share a prompt (trl-kto: TRL pairs each row with the
   * completion of its neighbour for the KL baseline). See spreadLines.
   */
  readonly spread?: boolean;
  /** The records of one assembled row of `kind` (key order = column order), most often one. */
  records(row: Assembled['row'], ctx?: RowContext): object[];
  /** The same records as JSON lines, byte for byte `records(row, ctx).map(JSON.stringify)`, built from jsonOfRow. */
  lines(row: Assembled['row'], ctx?: RowContext): string[];
  /**
   * Line `sub` of `lines(row)` (default context: no system message, instruction only), newline excluded, laid out
   * byte for byte from the row's escaped bytes: how a shared spill writes every format after one sort (sharedRows).
   */
  layout(row: RowBytes, out: ByteSink, sub: number): void;
  /** The record's columns as a DuckDB from_json structure (JSON text), for Parquet output. */
  readonly structure: string;
}
