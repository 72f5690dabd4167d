import type { ByteSink } from './byteSink.ts';
import type { RowBytes } from './rowBytes.ts';

/** The opening every UltraInteract-shaped row shares, `{"id":…,"parent_id":…,"task":…,"dataset":…`, from bytes. */
export function rowHeadBytes(r: RowBytes, out: ByteSink): void {
  out.parts('{"id":', r.id, ',"parent_id":', r.parentId, ',"task":', r.task, ',"dataset":', r.dataset);
}
