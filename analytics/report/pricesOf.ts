import { parse } from 'yaml';

/** USD per million tokens of one model. */
export interface ModelPrice {
  readonly promptPerMTok: number;
  readonly completionPerMTok: number;
}

const isPrice = (v: unknown): v is ModelPrice =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as ModelPrice).promptPerMTok === 'number' &&
  typeof (v as ModelPrice).completionPerMTok === 'number';

/**
 * Model prices from YAML or JSON text: a grow config (its top-level `prices` and every `endpoints[].prices`) or a
 * plain mapping `model: {promptPerMTok, completionPerMTok}`. Throws naming `source` and the bad entry.
 */
export function pricesOf(text: string, source: string): Map<string, ModelPrice> {
  const doc = parse(text) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object')
    throw new Error(`${source}: expected a mapping of model prices or a grow config`);
  const maps: unknown[] = [];
  if ('prices' in doc || 'endpoints' in doc) {
    if (doc.prices) maps.push(doc.prices);
    for (const e of Array.isArray(doc.endpoints) ? doc.endpoints : []) if (e?.prices) maps.push(e.prices);
  } else maps.push(doc);
  const prices = new Map<string, ModelPrice>();
  for (const m of maps) {
    for (const [model, price] of Object.entries(m as object)) {
      if (!isPrice(price)) {
        throw new Error(
          `${source}: price of ${JSON.stringify(model)} needs promptPerMTok and completionPerMTok (USD)`,
        );
      }
      prices.set(model, price);
    }
  }
  return prices;
}
