import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unitFiles } from '../setup/unitFiles.ts';

const root = resolve(import.meta.dirname, '..', '..');
// What a unit test may not reach through its imports: child processes, a broker, a browser, a model, the sandbox.
const forbidden = [
  /^(node:)?child_process$/,
  /^kafkajs$/,
  /^playwright(-core)?$/,
  /^node-llama-cpp$/,
  /connectors\/sandbox\//,
  /connectors\/log\/kafka\//,
];

/** Every file under test/, relative to the root. */
const testFiles = (dir = 'test'): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
const matches = (pattern: string, file: string) =>
  new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`).test(file);

/** The forbidden imports a file reaches, each with the chain of files that leads there. */
function forbiddenReached(start: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(join(root, file), 'utf8');
    const specs = source.matchAll(
      /(?:^|\n)\s*(?:import|export)\s(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    );
    // Type-only imports (`import type`) are erased: they load nothing.
    for (const m of specs) {
      const spec = m[1] ?? m[2];
      const target = spec.startsWith('.') ? relative(root, resolve(root, dirname(file), spec)) : spec;
      if (forbidden.some((f) => f.test(target))) found.push(`${[...chain, file].join(' > ')} > ${spec}`);
      else if (spec.startsWith('.') && existsSync(join(root, target))) walk(target, [...chain, file]);
    }
  };
  walk(start, []);
  return found;
}

describe('the unit project', () => {
  const listed = testFiles().filter((f) => f.endsWith('.test.ts') && unitFiles.some((p) => matches(p, f)));

  it('lists test files that exist (each pattern matches one at least)', () => {
    for (const pattern of unitFiles)
      expect(
        listed.some((f) => matches(pattern, f)),
        `${pattern} matches no test file`,
      ).toBe(true);
    expect(listed.length).toBeGreaterThan(15);
  });

  it('holds no test that reaches a child process, Kafka, Chromium, llama.cpp or the sandbox', () => {
    expect(listed.flatMap(forbiddenReached)).toEqual([]);
  });

  it('the import walk does find what it looks for (an integration file that spawns)', () => {
    expect(forbiddenReached('test/log/crash.test.ts').some((c) => c.endsWith('> node:child_process'))).toBe(
      true,
    );
    expect(
      forbiddenReached('test/sandbox/security.test.ts').some((c) => /connectors\/sandbox\//.test(c)),
    ).toBe(true);
  });
});
