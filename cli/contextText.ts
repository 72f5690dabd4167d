import type { ErrorContext } from '../schemas/errors.ts';

/** Context fields printed first, in this order, under these labels; other keys follow in the raiser's order. */
const ORDER: readonly (readonly [keyof ErrorContext & string, string])[] = [
  ['treeId', 'tree'],
  ['nodeId', 'node'],
  ['topic', 'topic'],
  ['partition', 'partition'],
  ['offset', 'offset'],
  ['file', 'file'],
  ['line', 'line'],
  ['byteOffset', 'byte'],
  ['endpoint', 'endpoint'],
  ['model', 'model'],
  ['kafkaError', 'kafka'],
  ['kafkaCode', 'kafka code'],
];
const NAMED = new Set<string>(ORDER.map(([key]) => key));

/** An error's context as `label value` pairs joined by ` · `, the known fields first in one fixed order. */
export function contextText(context: ErrorContext): string {
  const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const parts: string[] = [];
  for (const [key, label] of ORDER) {
    const v = context[key];
    if (v !== undefined && v !== null) parts.push(`${label} ${shown(v)}`);
  }
  for (const [key, v] of Object.entries(context)) {
    if (!NAMED.has(key) && v !== undefined && v !== null) parts.push(`${key} ${shown(v)}`);
  }
  return parts.join(' · ');
}
