import { ArboretumError } from '../../schemas/errors.ts';
import type { UiPairRow, UiSftRow } from './ultrainteractRows.ts';

const isString = (v: unknown): v is string => typeof v === 'string';

function fieldsOf(kind: 'pair' | 'sft', json: unknown, source: string): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ArboretumError(
      'INVALID_INPUT',
      `${source}: expected a JSON object (an UltraInteract_${kind} row)`,
      { context: { file: source } },
    );
  }
  const o = json as Record<string, unknown>;
  const strings =
    kind === 'pair'
      ? ['id', 'parent_id', 'task', 'dataset', 'chosen', 'rejected']
      : ['id', 'parent_id', 'task', 'dataset', 'instruction', 'response'];
  const bad = strings.filter((k) => !isString(o[k]));
  if (bad.length) {
    throw new ArboretumError(
      'INVALID_INPUT',
      `${source}: ${bad.map((k) => `${k} must be a string`).join(', ')}`,
      { context: { file: source } },
    );
  }
  return o;
}

/** Checks a parsed UltraInteract_pair row; INVALID_INPUT names the source and the bad fields. */
export function uiPairRowOf(json: unknown, source: string): UiPairRow {
  const o = fieldsOf('pair', json, source);
  const t = o.trajectory;
  if (
    !Array.isArray(t) ||
    !t.every((u) => u && typeof u === 'object' && isString((u as any).from) && isString((u as any).value))
  ) {
    throw new ArboretumError(
      'INVALID_INPUT',
      `${source}: trajectory must be a list of {from, value} strings`,
      { context: { file: source } },
    );
  }
  return {
    id: o.id as string,
    parent_id: o.parent_id as string,
    task: o.task as string,
    dataset: o.dataset as string,
    trajectory: t.map((u) => ({ from: u.from, value: u.value })),
    chosen: o.chosen as string,
    rejected: o.rejected as string,
  };
}

/** Checks a parsed UltraInteract_sft row; INVALID_INPUT names the source and the bad fields. */
export function uiSftRowOf(json: unknown, source: string): UiSftRow {
  const o = fieldsOf('sft', json, source);
  return {
    id: o.id as string,
    parent_id: o.parent_id as string,
    task: o.task as string,
    dataset: o.dataset as string,
    instruction: o.instruction as string,
    response: o.response as string,
  };
}
