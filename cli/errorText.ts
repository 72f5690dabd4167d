import type { ArboretumError } from '../schemas/errors.ts';
import { contextText } from './contextText.ts';

/**
 * How the CLI prints an ArboretumError, the same for every command: the message on the first line, then one line with
 * the code, its family, whether trying again may succeed, and every context field the raiser knew (contextText):
 *
 *     arboretum import: rows.jsonl:3: not JSON
 *       INVALID_INPUT (input) · file rows.jsonl · line 3 · byte 120
 */
export function errorText(command: string, e: ArboretumError): string {
  const head = `${e.code} (${e.family}${e.retriable ? ', retriable: trying again may succeed' : ''})`;
  const context = contextText(e.context);
  return `arboretum ${command}: ${e.message}\n  ${context ? `${head} · ${context}` : head}`;
}
