import type { ByteSink } from './byteSink.ts';
import type { RowBytes } from './rowBytes.ts';

/** messagesJson from escaped bytes: `[{"role":…,"content":…},…]` appended to `out`. */
export function messagesBytes(trajectory: RowBytes['trajectory'], out: ByteSink): void {
  out.ascii('[');
  for (let i = 0; i < trajectory.length; i++) {
    out.ascii(i ? ',{"role":' : '{"role":');
    out.put(trajectory[i].from);
    out.ascii(',"content":');
    out.put(trajectory[i].value);
    out.ascii('}');
  }
  out.ascii(']');
}
