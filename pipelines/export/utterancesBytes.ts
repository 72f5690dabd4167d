import type { ByteSink } from './byteSink.ts';
import type { RowBytes } from './rowBytes.ts';

/** UltraInteract utterances from escaped bytes, without the brackets: `{"from":…,"value":…},…` appended to `out`. */
export function utterancesBytes(trajectory: RowBytes['trajectory'], out: ByteSink): void {
  for (let i = 0; i < trajectory.length; i++) {
    out.ascii(i ? ',{"from":' : '{"from":');
    out.put(trajectory[i].from);
    out.ascii(',"value":');
    out.put(trajectory[i].value);
    out.ascii('}');
  }
}
