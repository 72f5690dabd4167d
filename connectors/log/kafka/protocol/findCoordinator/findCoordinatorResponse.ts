import { WireReader } from '../wire/wireReader.ts';

/** Decodes a FindCoordinator v1 response body (after the correlation id): the coordinator's `host:port`. */
export function findCoordinatorResponse(body: Buffer): {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  address: string;
} {
  const r = new WireReader(body);
  r.int32(); // throttle time
  const errorCode = r.int16();
  const errorMessage = r.string();
  const nodeId = r.int32();
  const host = r.string();
  const port = r.int32();
  return { errorCode, errorMessage, nodeId, address: `${host}:${port}` };
}
