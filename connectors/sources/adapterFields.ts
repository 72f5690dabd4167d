import { createHash } from 'node:crypto';
import { ArboretumError } from '../../schemas/errors.ts';
import type { Reference } from '../../schemas/types.ts';

/** The row as an object, or INVALID_INPUT. */
export function objectRow(row: unknown, dataset: string): Record<string, unknown> {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) {
    throw new ArboretumError(
      'INVALID_INPUT',
      `${dataset}: expected a JSON object, got ${JSON.stringify(row)}`,
    );
  }
  return row as Record<string, unknown>;
}

/** A required non-empty string field (numbers are taken as their decimal text). */
export function text(row: Record<string, unknown>, field: string, dataset: string): string {
  const v = row[field];
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v !== 'string' || v.trim() === '') {
    throw new ArboretumError(
      'INVALID_INPUT',
      `${dataset}: field ${JSON.stringify(field)} must be a non-empty string, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`,
    );
  }
  return v;
}

/** An optional string field: undefined when absent, null or empty. */
export function optionalText(row: Record<string, unknown>, field: string): string | undefined {
  const v = row[field];
  if (v === undefined || v === null) return undefined;
  const s = typeof v === 'string' ? v : String(v);
  return s.trim() === '' ? undefined : s;
}

/** A field that may be a JSON string of a value or the value itself (APPS/TACO store JSON in strings). */
export function jsonField(row: Record<string, unknown>, field: string, dataset: string): unknown {
  const v = row[field];
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch (e) {
    throw new ArboretumError(
      'INVALID_INPUT',
      `${dataset}: field ${JSON.stringify(field)} is not valid JSON: ${(e as Error).message}`,
    );
  }
}

/** A stable id for rows without one: dataset and a hash of the instruction text. */
export function contentId(dataset: string, instruction: string): string {
  return `${dataset.toLowerCase()}-${createHash('sha256').update(instruction).digest('hex').slice(0, 16)}`;
}

/** A Reference with the given fields set and the rest null. */
export function reference(fields: Partial<Reference>): Reference {
  return {
    answer: null,
    solution: null,
    tests: null,
    choices: null,
    entryPoint: null,
    testKind: null,
    ...fields,
  };
}

/** Metadata with only string values, empty ones left out. */
export function metadata(fields: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null || v === '') continue;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}
