/** Where one top-level element of a JSON array is: its 1-based start line and its byte range [start, end). */
export interface JsonArrayElement {
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

/**
 * The top-level elements of a JSON array text, by bytes (pure scan, strings and escapes respected; JSON's structure is
 * ASCII, so bytes that are not valid UTF-8 inside an element do not disturb it). Returns [] when the text is not an
 * array. The scan does not validate: an element's bytes may still fail to parse.
 */
export function jsonArrayElements(bytes: Uint8Array): JsonArrayElement[] {
  const elements: JsonArrayElement[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectElement = false;
  /** The open element: its line, first byte and one past its last non-space byte so far. */
  let open: { line: number; start: number; end: number } | undefined;
  const close = () => {
    if (open) elements.push(open);
    open = undefined;
  };
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x0a) line++;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      if (open) open.end = i + 1;
      continue;
    }
    if (isSpace(c)) continue;
    if (depth === 0 && c !== 0x5b) return elements;
    if (depth === 1 && (c === 0x2c || c === 0x5d)) {
      close();
      if (c === 0x2c) expectElement = true;
      else depth--;
      continue;
    }
    if (depth === 1 && expectElement) {
      open = { line, start: i, end: i + 1 };
      expectElement = false;
    }
    if (open) open.end = i + 1;
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  close();
  return elements;
}
