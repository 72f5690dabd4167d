import type avro from 'avsc';

// CRC-64-AVRO (Rabin), as defined in the Avro specification, "Schema Fingerprints".
const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;
const table: bigint[] = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & (-(fp & 1n) & MASK));
  return fp;
});

/** CRC-64-AVRO of some bytes, as an unsigned 64-bit bigint. */
export function rabin64(bytes: Uint8Array): bigint {
  let fp = EMPTY;
  for (const b of bytes) fp = (fp >> 8n) ^ table[Number((fp ^ BigInt(b)) & 0xffn)];
  return fp;
}

/** The schema's Parsing Canonical Form, as JSON text. */
export function canonicalForm(type: avro.Type): string {
  return JSON.stringify(type.schema());
}

/** The 8-byte little-endian CRC-64-AVRO fingerprint of a type's canonical form. */
export function fingerprintOf(type: avro.Type): Buffer {
  const fp = rabin64(Buffer.from(canonicalForm(type), 'utf8'));
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(fp);
  return out;
}
