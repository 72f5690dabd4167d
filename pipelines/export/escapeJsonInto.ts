/** What each UTF-8 byte needs: 0 copied, 1 a two-character escape, 2 `\u00XX`, 3 maybe U+FFFD (see below). */
const NEED = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) NEED[c] = 2;
for (const c of [0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x22, 0x5c]) NEED[c] = 1;
NEED[0xef] = 3;
/** The letter after the backslash of a two-character escape (JSON.stringify's: \b \t \n \f \r \" \\). */
const SHORT = new Uint8Array(256);
for (const [c, l] of [
  [0x08, 'b'],
  [0x09, 't'],
  [0x0a, 'n'],
  [0x0c, 'f'],
  [0x0d, 'r'],
  [0x22, '"'],
  [0x5c, '\\'],
] as const)
  SHORT[c] = l.charCodeAt(0);
const HEX = Buffer.from('0123456789abcdef', 'latin1');
let utf8 = Buffer.allocUnsafe(1 << 16);

/** Room `escapeJsonInto` may need for `text`: 6 bytes a UTF-16 unit (a control character's `\u00XX`) and quotes. */
export const escapedRoom = (text: string): number => text.length * 6 + 2;

/**
 * Writes the UTF-8 bytes of JSON.stringify(text) into `dst` at `at` (which must have escapedRoom(text) bytes free)
 * and returns where they end, or -1 when it cannot be sure to match JSON.stringify: a lone surrogate, which
 * JSON.stringify writes as `\udXXX` but UTF-8 encoding turns into U+FFFD (so any U+FFFD bails out; callers then
 * write JSON.stringify's text). The text is encoded natively, then escaped byte by byte: in UTF-8 every byte below
 * 0x80 is the ASCII character itself, so escaping bytes is escaping characters. About twice as fast as
 * JSON.stringify and then encoding its result (Node 20's V8 escapes a character at a time).
 */
export function escapeJsonInto(text: string, dst: Buffer, at: number): number {
  if (text.length * 3 > utf8.length) utf8 = Buffer.allocUnsafe(text.length * 6);
  const n = utf8.write(text, 0, 'utf8');
  let o = at;
  dst[o++] = 0x22;
  for (let i = 0; i < n; i++) {
    const b = utf8[i];
    const need = NEED[b];
    if (need === 0) dst[o++] = b;
    else if (need === 1) {
      dst[o++] = 0x5c;
      dst[o++] = SHORT[b];
    } else if (need === 2) {
      dst[o++] = 0x5c;
      dst[o++] = 0x75;
      dst[o++] = 0x30;
      dst[o++] = 0x30;
      dst[o++] = HEX[b >> 4];
      dst[o++] = HEX[b & 15];
    } else {
      if (utf8[i + 1] === 0xbf && utf8[i + 2] === 0xbd) return -1;
      dst[o++] = b;
    }
  }
  dst[o++] = 0x22;
  return o;
}
