/** Unit words and symbols → canonical symbol. Only these count as units in the unit policy. */
const UNITS: Record<string, string> = {};
function add(symbol: string, ...names: string[]) {
  for (const n of [symbol, ...names]) UNITS[n] = symbol;
}
add('mm', 'millimeter', 'millimeters', 'millimetre', 'millimetres');
add('cm', 'centimeter', 'centimeters', 'centimetre', 'centimetres');
add('m', 'meter', 'meters', 'metre', 'metres');
add('km', 'kilometer', 'kilometers', 'kilometre', 'kilometres');
add('in', 'inch', 'inches');
add('ft', 'foot', 'feet');
add('yd', 'yard', 'yards');
add('mi', 'mile', 'miles');
add('mg', 'milligram', 'milligrams');
add('g', 'gram', 'grams');
add('kg', 'kilogram', 'kilograms', 'kilo', 'kilos');
add('lb', 'lbs', 'pound', 'pounds');
add('oz', 'ounce', 'ounces');
add('ton', 'tons', 'tonne', 'tonnes');
add('s', 'sec', 'secs', 'second', 'seconds');
add('min', 'mins', 'minute', 'minutes');
add('h', 'hr', 'hrs', 'hour', 'hours');
add('day', 'days');
add('week', 'weeks');
add('month', 'months');
add('year', 'years', 'yr', 'yrs');
add('ml', 'milliliter', 'milliliters', 'millilitre', 'millilitres');
add('l', 'liter', 'liters', 'litre', 'litres');
add('gal', 'gallon', 'gallons');
add('mph');
add('kmh', 'kph');
add('cal', 'calorie', 'calories');
add('joule', 'joules');
add('watt', 'watts');
add('newton', 'newtons');

/**
 * The canonical form of a unit phrase (`cm`, `square feet` → `ft^2`, `km/h` → `km/h`, `\text{ cm}^2`),
 * or null when any part of it is not a unit we know (then the unit policy does not apply: see
 * pipelines/grade/README.md). Case-insensitive.
 */
export function unitOf(phrase: string): string | null {
  let s = phrase
    .trim()
    .toLowerCase()
    .replace(/[{}\\]/g, '')
    .replace(/\.$/, '');
  if (s === '' || s.length > 40) return null;
  let power = '';
  const sq = /^(?:square|sq\.?)\s+(.+)$/.exec(s);
  const cu = /^(?:cubic|cu\.?)\s+(.+)$/.exec(s);
  if (sq) [s, power] = [sq[1], '^2'];
  else if (cu) [s, power] = [cu[1], '^3'];
  const exp = /^(.+?)\s*\^\s*([23])$/.exec(s);
  if (exp) [s, power] = [exp[1], `^${exp[2]}`];
  const per = s.split(/\s*(?:\/|\bper\b)\s*/);
  if (per.length > 2) return null;
  const parts = per.map((p) => UNITS[p.trim()]);
  if (parts.some((p) => p === undefined)) return null;
  return parts.join('/') + power;
}
