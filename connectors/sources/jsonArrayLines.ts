import { jsonArrayElements } from './jsonArrayElements.ts';

/**
 * The 1-based line on which each top-level element of a JSON array text starts (pure scan, strings and escapes
 * respected). Used to name the line of a bad element in a .json file; returns [] when the text is not an array.
 */
export function jsonArrayLines(text: string | Uint8Array): number[] {
  return jsonArrayElements(typeof text === 'string' ? Buffer.from(text, 'utf8') : text).map((e) => e.line);
}
