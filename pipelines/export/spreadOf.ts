/** How a spread file is laid out. */
export interface Spread {
  /** Rows of the largest group (rows sharing one prompt): the number of passes. */
  readonly width: number;
  /**
   * The least distance, in rows, between two rows of one group (Infinity when no group has two rows). Any block of
   * up to this many consecutive rows holds each prompt at most once.
   */
  readonly minGap: number;
}

/**
 * The spread of N lines whose groups of rows sharing a prompt are contiguous (`groups` = the group sizes in order):
 * line k goes to row ⌊k / width⌋ of column k mod width of a width-column table, written column by column (so the
 * output is lines c, c + width, c + 2·width, … for c = 0 … width − 1). A group (≤ width consecutive lines) lands in
 * distinct columns, hence ≥ ⌈N / width⌉ − 2 rows apart; the exact least gap is computed.
 */
export function spreadOf(groups: Int32Array): Spread {
  let n = 0;
  let width = 1;
  for (const g of groups) {
    n += g;
    if (g > width) width = g;
  }
  // Where column c starts in the output: the sizes of the columns before it.
  const colStart: number[] = [0];
  for (let c = 1; c < width; c++) colStart.push(colStart[c - 1] + Math.ceil((n - (c - 1)) / width));
  const pos = (k: number) => colStart[k % width] + Math.floor(k / width);
  let minGap = Number.POSITIVE_INFINITY;
  for (let i = 0, start = 0; i < groups.length; start += groups[i++]) {
    for (let a = start; a < start + groups[i]; a++) {
      for (let b = a + 1; b < start + groups[i]; b++) minGap = Math.min(minGap, Math.abs(pos(a) - pos(b)));
    }
  }
  return { width, minGap };
}
