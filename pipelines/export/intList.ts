/** A growing list of 32-bit integers. */
export class IntList {
  private data = new Int32Array(1024);
  length = 0;
  push(n: number) {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = n;
  }
  /** The integer at `i` (< length). */
  at(i: number): number {
    return this.data[i];
  }
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}
