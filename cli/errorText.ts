import type { ArboretumError, ErrorContext } from '../schemas/errors.ts';

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

/**
 * How the CLI prints an ArboretumError, the same for every command: the message on the first line, then one line with
 * the code, its family, whether trying again may help, and every context field the raiser knew, as `label value`
 * pairs separated by ` · `:
 *
 *     arboretum import: rows.jsonl:3: not JSON
 *       INVALID_INPUT (input) · file rows.jsonl · line 3 · byte 120
 */
export function errorText(command: string, e: ArboretumError): string {
  const parts = [`${e.code} (${e.family}${e.retriable ? ', retriable: trying again may succeed' : ''})`];
  const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  for (const [key, label] of ORDER) {
    const v = e.context[key];
    if (v !== undefined && v !== null) parts.push(`${label} ${shown(v)}`);
  }
  for (const [key, v] of Object.entries(e.context)) {
    if (!NAMED.has(key) && v !== undefined && v !== null) parts.push(`${key} ${shown(v)}`);
  }
  return `arboretum ${command}: ${e.message}\n  ${parts.join(' · ')}`;
}
