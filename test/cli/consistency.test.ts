import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { syntheticTreeEvents } from '../../pipelines/synthetic/syntheticTrees.ts';
import { cli } from '../support/cli.ts';

const run = promisify(execFile);
/** A shell pipeline; prints the arboretum side's exit status last (PIPESTATUS), its stderr to a file. */
const piped = (command: string) =>
  run('bash', ['-c', `${command}; echo "rc=\${PIPESTATUS[0]}"`], { cwd: process.cwd(), maxBuffer: 1 << 26 });

const COMMANDS = [
  'grow',
  'submit',
  'export',
  'import',
  'grade',
  'exec',
  'analytics',
  'sql',
  'report',
  'view',
  'log',
  'kafka',
];

let dir: string;
let logUri: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-cli-consistency-'));
  const log = createFileEventLog({ dir: join(dir, 'log'), fsync: 'never', onRecovered: () => {} });
  // Enough rows that a reader closing the pipe early interrupts the writes.
  await log.append(
    topics.treeEvents,
    [...syntheticTreeEvents({ trees: 400, seed: 3, actionBytes: [400, 1200] })].map((value) => ({ value })),
  );
  await log.close();
  logUri = `file:${join(dir, 'log')}`;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the CLI, consistently', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
    for (const flag of ['--version', '-V']) {
      const r = await cli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(`arboretum ${version}`);
    }
  });

  it('help <command> is <command> --help, and every command’s help has an example', async () => {
    for (const name of COMMANDS) {
      const viaHelp = await cli(['help', name]);
      expect(viaHelp.code, name).toBe(0);
      if (['export', 'log', 'grade'].includes(name))
        expect(viaHelp.stdout, name).toBe((await cli([name, '--help'])).stdout);
      expect(viaHelp.stdout, name).toMatch(new RegExp(`arboretum ${name}`));
      expect(viaHelp.stdout, name).toMatch(/Examples?:\n\s+\S*arboretum /);
    }
    const top = await cli(['help']);
    expect(top.stdout).toContain('arboretum help <command>');
  }, 180_000);

  it('a closed pipe ends quietly, exit 0: log read | head, export --out - | head', async () => {
    const read = await piped(
      `node bin/arboretum.js log read --topic tree-events --log ${logUri} 2>${dir}/e1 | head -n 2`,
    );
    expect(read.stdout.trim().split('\n')).toHaveLength(3);
    expect(read.stdout).toContain('rc=0');
    expect(readFileSync(`${dir}/e1`, 'utf8')).toBe('');
    const out = await piped(
      `node bin/arboretum.js export --format trl-dpo --out - --log ${logUri} 2>${dir}/e2 | head -n 1`,
    );
    const [row, rc] = out.stdout.trim().split('\n');
    expect(Object.keys(JSON.parse(row))).toEqual(['prompt', 'chosen', 'rejected']);
    expect(rc).toBe('rc=0');
    expect(readFileSync(`${dir}/e2`, 'utf8')).not.toMatch(/EPIPE|at .*\.ts:\d+/);
    const check = await piped(`node bin/arboretum.js log check --log ${logUri} 2>${dir}/e3 | head -n 1`);
    expect(check.stdout).toContain('rc=0');
    expect(readFileSync(`${dir}/e3`, 'utf8')).toBe('');
  });

  it('export --out - writes the same rows as a file export', async () => {
    const file = join(dir, 'dpo.jsonl');
    await cli(['export', '--format', 'trl-dpo', '--out', file, '--log', logUri]);
    const stdout = await cli(['export', '--format', 'trl-dpo', '--out', '-', '--log', logUri]);
    expect(stdout.stdout).toBe(readFileSync(file, 'utf8'));
    expect(stdout.stderr).toMatch(/^trl-dpo: \d+ rows to stdout from \d+ events/);
  });

  it('a topic that is not on the log, and a mistyped --log, are errors naming them', async () => {
    const read = await cli(['log', 'read', '--topic', 'pairs', '--log', logUri]);
    expect(read.code).toBe(2);
    expect(read.stderr).toContain(`--log ${logUri}: no topic pairs on this log (it has tree-events)`);
    const missing = join(dir, 'nope');
    const exp = await cli([
      'export',
      '--format',
      'trl-dpo',
      '--out',
      join(dir, 'x.jsonl'),
      '--log',
      `file:${missing}`,
    ]);
    expect(exp.code).toBe(2);
    expect(exp.stderr).toContain(`--log file:${missing}: no log there (${missing} does not exist)`);
  });

  it('renamed flags keep their old names for now, with a warning', async () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    const now = await cli(['export', '--format', 'trl-dpo', '--max-turn', '1', '--out', a, '--log', logUri]);
    const old = await cli(['export', '--format', 'trl-dpo', '--max-turns', '1', '--out', b, '--log', logUri]);
    expect(now.stderr).not.toContain('deprecated');
    expect(old.stderr).toContain('--max-turns is deprecated, use --max-turn (same meaning)');
    expect(readFileSync(b, 'utf8')).toBe(readFileSync(a, 'utf8'));
    const rows = readFileSync(a, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.every((r) => r.prompt.length === 1)).toBe(true);
    const py = join(dir, 'a.py');
    await run('bash', ['-c', `printf 'print(6 * 7)\\n' > ${py}`]);
    const exec = await cli(['exec', py, '--unsafe']);
    expect(JSON.parse(exec.stdout).stdout).toBe('42\n');
    expect(exec.stderr).toContain('--unsafe is deprecated, use --unsafe-sandbox');
    const execNew = await cli(['exec', py, '--unsafe-sandbox']);
    expect(execNew.stderr).toBe('');
  });
});
