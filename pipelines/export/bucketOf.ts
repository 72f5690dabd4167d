/**
 * The sort bucket of a tree id, from 0 to `buckets` - 1 (a power of two up to 256). For sha256-hex tree ids it is
 * their first byte's top bits, so bucket order is tree id order; other ids fall back to an FNV-1a hash. Either way
 * a pure function of the id, which is all a canonical order needs.
 */
export function bucketOf(treeId: string, buckets: number): number {
  const byte = Number.parseInt(treeId.slice(0, 2), 16);
  if (treeId.length >= 2 && /^[0-9a-f]{2}$/.test(treeId.slice(0, 2))) return (byte * buckets) >> 8;
  let h = 0x811c9dc5;
  for (let i = 0; i < treeId.length; i++) {
    h ^= treeId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % buckets;
}
