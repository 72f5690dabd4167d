import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const LAYERS = ['schemas', 'connectors', 'pipelines', 'analytics', 'cli'] as const;
type Layer = (typeof LAYERS)[number];

/**
 * The direction of dependencies (STYLE.md, issue #15): schemas ← connectors ← pipelines ← cli, analytics beside
 * pipelines. What each layer may import, besides itself.
 */
const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  schemas: [],
  connectors: ['schemas'],
  // Nothing in pipelines imports analytics or cli.
  pipelines: ['schemas', 'connectors'],
  // Analytics imports nothing from cli (today it reads schemas only).
  analytics: ['schemas', 'connectors', 'pipelines'],
  cli: ['schemas', 'connectors', 'pipelines', 'analytics'],
};

/**
 * Known arrows against the direction, each to be removed (and its line here with it). `file -> imported`, paths from
 * the repository root.
 */
// Arrows against the direction that are allowed for now, each with why (none today: keep it that way).
const ALLOWED = new Set<string>([]);

function* tsFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** Every module specifier of a file: static imports and re-exports (type-only ones too), dynamic import(). */
const SPECIFIER =
  /(?:^|[\s;}])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

interface Arrow {
  readonly from: string;
  readonly to: string;
  readonly fromLayer: Layer;
  readonly toLayer: Layer;
}

function arrows(): Arrow[] {
  const out: Arrow[] = [];
  for (const layer of LAYERS) {
    for (const file of tsFiles(join(root, layer))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(SPECIFIER)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (!spec.startsWith('.')) continue; // a package
        const target = relative(root, resolve(dirname(file), spec));
        const toLayer = target.split('/')[0] as Layer;
        if (!LAYERS.includes(toLayer)) continue;
        out.push({ from: relative(root, file), to: target, fromLayer: layer, toLayer });
      }
    }
  }
  return out;
}

describe('import direction: schemas ← connectors ← pipelines ← cli, analytics beside pipelines', () => {
  const all = arrows();

  it('reads the imports of every layer (the walk is not empty)', () => {
    const seen = new Set(all.map((a) => `${a.fromLayer}->${a.toLayer}`));
    for (const arrow of [
      'connectors->schemas',
      'pipelines->connectors',
      'pipelines->schemas',
      'cli->pipelines',
    ])
      expect(seen).toContain(arrow);
    expect(all.length).toBeGreaterThan(500);
  });

  it('has no arrow against the direction, besides the listed known ones', () => {
    const against = all
      .filter((a) => a.fromLayer !== a.toLayer && !MAY_IMPORT[a.fromLayer].includes(a.toLayer))
      .map((a) => `${a.from} -> ${a.to}`);
    expect(against.filter((a) => !ALLOWED.has(a))).toEqual([]);
  });

  it('lists no allowed exception that the code no longer has (so a fix removes its entry)', () => {
    const present = new Set(all.map((a) => `${a.from} -> ${a.to}`));
    expect([...ALLOWED].filter((a) => !present.has(a))).toEqual([]);
  });

  it('catches an arrow against the direction in any of the forms a file may write it', () => {
    const forms = [
      "import { x } from '../../cli/x.ts';",
      "import type { X } from '../../cli/x.ts';",
      "export { x } from '../../cli/x.ts';",
      "const m = await import('../../cli/x.ts');",
      "import '../../cli/x.ts';",
      "import {\n  a,\n  b,\n} from '../../cli/x.ts';",
    ];
    for (const form of forms)
      expect([...form.matchAll(SPECIFIER)].map((m) => m[1] ?? m[2] ?? m[3])).toEqual(['../../cli/x.ts']);
  });
});
