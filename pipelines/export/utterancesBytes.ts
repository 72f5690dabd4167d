import type { ByteSink } from './byteSink.ts';
import type { RowBytes } from './rowBytes.ts';

/**
 * Escaped utterances as a JSON list's items, without the brackets: `<open>from<middle>value}` comma-separated, e.g.
 * `{"from":…,"value":…}` (UltraInteract) or `{"role":…,"content":…}` (chat messages).
 */
export function utterancesBytes(
  trajectory: RowBytes['trajectory'],
  out: ByteSink,
  open: string,
  middle: string,
): void {
  for (let i = 0; i < trajectory.length; i++) {
    if (i) out.ascii(',');
    out.parts(open, trajectory[i].from, middle, trajectory[i].value, '}');
  }
}
