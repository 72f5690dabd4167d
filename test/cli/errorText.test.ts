import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { errorText } from '../../cli/errorText.ts';
import {
  ArboretumError,
  errorFamilyOf,
  isErrorOfFamily,
  isRetriable,
  withContext,
} from '../../schemas/errors.ts';

describe('errorText', () => {
  it('prints the message, then code, family and the context fields in one fixed order', () => {
    const e = new ArboretumError('INVALID_INPUT', 'rows.jsonl:3: not JSON', {
      context: { byteOffset: 120, line: 3, file: 'rows.jsonl', extra: { a: 1 } },
    });
    expect(errorText('import', e)).toBe(
      'arboretum import: rows.jsonl:3: not JSON\n  INVALID_INPUT (input) · file rows.jsonl · line 3 · byte 120 · extra {"a":1}',
    );
  });

  it('says when trying again may succeed, and names tree, node and Kafka position', () => {
    const e = new ArboretumError('KAFKA_REFUSED', 'produce refused', {
      retriable: true,
      context: {
        kafkaError: 'NOT_LEADER_FOR_PARTITION',
        kafkaCode: 6,
        offset: 9,
        partition: 2,
        topic: 't',
        treeId: 'x',
        nodeId: 'n',
      },
    });
    expect(errorText('grow', e).split('\n')[1]).toBe(
      '  KAFKA_REFUSED (kafka, retriable: trying again may succeed) · tree x · node n · topic t · partition 2 · offset 9 · kafka NOT_LEADER_FOR_PARTITION · kafka code 6',
    );
  });
});

describe('error families', () => {
  it('gives every code a family, and isRetriable reads the flag only', () => {
    expect(errorFamilyOf('LLM_FAILED')).toBe('llm');
    expect(errorFamilyOf('SANDBOX_UNAVAILABLE')).toBe('sandbox');
    expect(errorFamilyOf('LOG_CORRUPT')).toBe('log');
    expect(isErrorOfFamily(new ArboretumError('INVALID_CONFIG', 'x'), 'config')).toBe(true);
    expect(isRetriable(new ArboretumError('LLM_FAILED', 'x'))).toBe(false);
    expect(isRetriable(new ArboretumError('LLM_FAILED', 'x', { retriable: true }))).toBe(true);
    // kafkajs marks its own errors `retriable`; plain errors are not retried.
    expect(isRetriable(Object.assign(new Error('leader moved'), { retriable: true }))).toBe(true);
    expect(isRetriable(new Error('boom'))).toBe(false);
  });
});

describe('withContext', () => {
  it('adds where (tree, node) under what the raiser knew, keeping code, message, retriable and cause', () => {
    const cause = new Error('socket hang up');
    const e = new ArboretumError('LLM_FAILED', 'endpoint down', {
      retriable: true,
      cause,
      context: { endpoint: 'local', model: 'm', nodeId: 'raiser-wins' },
    });
    const out = withContext(e, { treeId: 't-1', nodeId: 't1.a1.0' });
    expect(out).toBeInstanceOf(ArboretumError);
    expect(out).toMatchObject({ code: 'LLM_FAILED', message: 'endpoint down', retriable: true, cause });
    expect(out.context).toEqual({ treeId: 't-1', nodeId: 'raiser-wins', endpoint: 'local', model: 'm' });
    const plain = new Error('not ours');
    expect(withContext(plain, { treeId: 't-1' })).toBe(plain);
  });
});

describe('the CLI prints an error the same way for every command', () => {
  it('submit and import name the bad file, line and byte of a broken .json on the line after the message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arboretum-errortext-'));
    try {
      const file = join(dir, 'rows.json');
      await writeFile(file, '[1]\n[2]\n');
      const bin = join(import.meta.dirname, '../../bin/arboretum.js');
      const failing = (args: string[]) =>
        promisify(execFile)(process.execPath, [bin, ...args]).then(
          () => ({ code: 0, stderr: '' }),
          (e: { code: number; stderr: string }) => e,
        );
      const log = `file:${join(dir, 'log')}`;
      for (const [command, args] of [
        ['submit', ['submit', file, '--log', log]],
        ['import', ['import', 'ultrainteract', '--sft', file, '--log', log]],
      ] as const) {
        const { code, stderr } = await failing([...args]);
        expect(code).toBe(2);
        const lines = stderr.trim().split('\n');
        expect(lines[0]).toMatch(new RegExp(`^arboretum ${command}: .*rows\\.json:2: not JSON`));
        expect(lines[1]).toBe(`  INVALID_INPUT (input) · file ${file} · line 2 · byte 4`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
