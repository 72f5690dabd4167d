import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { codecs, fromJson } from '../../schemas/codec.ts';
import { ArboretumError, isArboretumError } from '../../schemas/errors.ts';
import { fingerprintOf, rabin64 } from '../../schemas/fingerprint.ts';
import { parseSchemas, readSchemaFile, recordNames } from '../../schemas/schemaTypes.ts';
import type { DeadLetter, PreferencePair, SftExample, TreeEvent } from '../../schemas/types.ts';
import { renderTypes } from '../../scripts/genTypes.ts';
import { sampleInstruction, sampleTreeEvents } from '../contract/sampleRecords.ts';

const pair: PreferencePair = {
  id: 'abc_1_1',
  parentId: 'sample-1',
  treeId: 'abc',
  task: 'Math_CoT',
  dataset: 'GSM8K',
  turn: 1,
  trajectory: [{ from: 'user', value: 'What is 1 + 1?' }],
  chosen: 'Step 1: 2',
  rejected: 'Step 1: 3',
  chosenNodeId: 't1.a0.0',
  rejectedNodeId: 't1.a0.1',
  chosenModel: 'strong',
  rejectedModel: 'weak',
};
const sft: SftExample = {
  id: 'abc_1_1',
  parentId: 'sample-1',
  treeId: 'abc',
  task: 'Math_CoT',
  dataset: 'GSM8K',
  turn: 1,
  nodeId: 't1.a0.0',
  model: 'strong',
  instruction: 'What is 1 + 1?',
  response: 'Step 1: 2',
};
const deadLetter: DeadLetter = {
  topic: 'instructions',
  partition: 0,
  offset: 12,
  source: null,
  key: null,
  reason: 'bad',
  payload: Buffer.from([1, 2, 3]),
  time: 1,
};

// One typed sample per record: the TypeScript compiler checks the sample against the generated type, and the
// test checks it against the Avro schema, so a drift between the two fails one or the other.
const samples = {
  Instruction: [sampleInstruction(1)],
  TreeEvent: sampleTreeEvents(1),
  PreferencePair: [pair],
  SftExample: [sft],
  DeadLetter: [deadLetter],
} as const;

describe('schemas and types', () => {
  it('schemas/types.ts is exactly what the generator renders from the .avsc files', () => {
    expect(readFileSync(new URL('../../schemas/types.ts', import.meta.url), 'utf8')).toBe(renderTypes());
  });

  for (const name of recordNames) {
    it(`${name}: every typed sample is valid for the schema and round-trips through single-object encoding`, () => {
      const codec = codecs[name] as (typeof codecs)[typeof name] & {
        encode(v: unknown): Buffer;
        decode(b: Buffer): unknown;
      };
      for (const sample of samples[name]) {
        const errors: string[] = [];
        codec.type.isValid(codec.toAvro(sample as never), {
          errorHook: (path) => errors.push(path.join('.')),
        });
        expect(errors).toEqual([]);
        const bytes = codec.encode(sample);
        expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
        expect(bytes.subarray(2, 10)).toEqual(codec.fingerprint);
        expect(codec.decode(bytes)).toEqual(sample);
      }
    });
  }

  it('fingerprints are CRC-64-AVRO of the canonical form (spec test vector for "null")', () => {
    expect(rabin64(Buffer.from('"null"'))).toBe(7195948357588979594n);
    expect(fingerprintOf(avro.Type.forSchema('null')).toString('hex')).toBe('8a8f25cce724dd63');
  });

  it('an unknown fingerprint or a damaged body is a clear error, not garbage', () => {
    const bytes = codecs.Instruction.encode(sampleInstruction(1));
    const unknown = Buffer.from(bytes);
    unknown[5] ^= 0xff;
    expect(() => codecs.Instruction.decode(unknown)).toThrow(/unknown writer schema fingerprint/);
    expect(() => codecs.Instruction.decode(bytes.subarray(0, 14))).toThrow(/undecodable body/);
    expect(() => codecs.Instruction.decode(Buffer.from('{"id":1}'))).toThrow(/no C3 01 marker/);
    try {
      codecs.Instruction.decode(unknown);
    } catch (e) {
      expect(isArboretumError(e, 'UNKNOWN_SCHEMA')).toBe(true);
    }
  });

  it('JSON input is validated with errors naming each bad field, and defaults fill what is left out', () => {
    expect(() =>
      fromJson(codecs.Instruction, { id: 7, task: 'Poetry', dataset: 'x', instruction: 'y', reference: {} }),
    ).toThrow(
      /id: expected string, got 7; task: expected one of Coding, Math_CoT, Math_PoT, Logic, got "Poetry"/,
    );
    expect(() => fromJson(codecs.Instruction, [])).toThrow(ArboretumError);
    const filled = fromJson(codecs.Instruction, {
      id: 'a',
      task: 'Logic',
      dataset: 'ReClor',
      instruction: 'q',
      reference: { answer: 'B' },
    });
    expect(filled.reference).toEqual({
      answer: 'B',
      solution: null,
      tests: null,
      choices: null,
      entryPoint: null,
      testKind: null,
    });
    expect(filled.metadata).toEqual({});
  });

  it('evolution: bytes written today decode under a later schema that adds a field with a default', () => {
    const today = sampleTreeEvents(3);
    const written = today.map((e) => codecs.TreeEvent.encode(e));
    // The later schema: TurnExecuted gains a field (with a default, as the evolution rule requires).
    const later = parseSchemas((name) => {
      const schema = readSchemaFile(name) as any;
      if (name === 'TreeEvent') {
        const turn = schema.fields
          .find((f: any) => f.name === 'payload')
          .type.find((t: any) => t.name === 'TurnExecuted');
        turn.fields.push({ name: 'sandboxVersion', type: 'string', default: 'unknown' });
      }
      return schema;
    }).TreeEvent;
    const resolver = later.createResolver(codecs.TreeEvent.type);
    for (const [i, bytes] of written.entries()) {
      expect(bytes.subarray(2, 10)).toEqual(codecs.TreeEvent.fingerprint);
      const decoded = later.fromBuffer(bytes.subarray(10), resolver) as any;
      const branch = Object.keys(decoded.payload)[0];
      expect(decoded.eventId).toBe(today[i].eventId);
      if (branch.endsWith('TurnExecuted')) expect(decoded.payload[branch].sandboxVersion).toBe('unknown');
    }
    expect(fingerprintOf(later).equals(codecs.TreeEvent.fingerprint)).toBe(false);
  });

  it('evolution: bytes written before Reference.testKind and VerdictReached.graderVersion decode with defaults', () => {
    // The schema as it was before issue 10: without the two fields (and without the TestKind enum).
    const earlier = parseSchemas((name) => {
      const schema = readSchemaFile(name) as any;
      const reference = (s: any) => s.fields.find((f: any) => f.name === 'reference').type;
      if (name === 'Instruction') {
        const r = reference(schema);
        r.fields = r.fields.filter((f: any) => f.name !== 'testKind');
      }
      if (name === 'TreeEvent') {
        const payload = schema.fields.find((f: any) => f.name === 'payload').type;
        const opened = payload.find((t: any) => t.name === 'TreeOpened');
        const inst = opened.fields.find((f: any) => f.name === 'instruction');
        if (typeof inst.type === 'object') {
          const r = reference(inst.type);
          r.fields = r.fields.filter((f: any) => f.name !== 'testKind');
        }
        const verdict = payload.find((t: any) => t.name === 'VerdictReached');
        verdict.fields = verdict.fields.filter((f: any) => f.name !== 'graderVersion');
      }
      return schema;
    });
    const oldEvent = {
      eventId: 'tree/n1/VerdictReached',
      treeId: 'tree',
      seq: 3,
      time: 1,
      writer: 'w',
      payload: {
        'arboretum.VerdictReached': { nodeId: 'n1', correct: true, grader: 'logic', detail: 'letter' },
      },
    };
    const bytes = earlier.TreeEvent.toBuffer(oldEvent);
    const decoded = codecs.TreeEvent.type.fromBuffer(
      bytes,
      codecs.TreeEvent.type.createResolver(earlier.TreeEvent),
    ) as any;
    expect(decoded.payload['arboretum.VerdictReached']).toEqual({
      nodeId: 'n1',
      correct: true,
      grader: 'logic',
      detail: 'letter',
      graderVersion: '',
    });
    const oldInstruction = {
      ...sampleInstruction(2),
      reference: { answer: '4', solution: null, tests: null, choices: null, entryPoint: null },
    };
    const ib = earlier.Instruction.toBuffer(earlier.Instruction.clone(oldInstruction, { wrapUnions: true }));
    const inst = codecs.Instruction.type.fromBuffer(
      ib,
      codecs.Instruction.type.createResolver(earlier.Instruction),
    ) as any;
    expect(inst.reference.testKind).toBeNull();
    // And today's assert-style reference round-trips.
    const assertStyle = {
      ...sampleInstruction(3),
      task: 'Coding' as const,
      reference: {
        answer: null,
        solution: null,
        tests: [{ input: 'assert f(1) == 2', output: '' }],
        choices: null,
        entryPoint: 'f',
        testKind: 'assert' as const,
      },
    };
    expect(codecs.Instruction.decode(codecs.Instruction.encode(assertStyle))).toEqual(assertStyle);
  });

  it('evolution: bytes written before TreeConfig.strategies and StrategySampled.strategyPolicy decode as null', () => {
    // The schema before issue 17: without the two fields (and without StrategyPlan / StrategySpec).
    const earlier = parseSchemas((name) => {
      const schema = readSchemaFile(name) as any;
      if (name === 'TreeEvent') {
        const payload = schema.fields.find((f: any) => f.name === 'payload').type;
        const opened = payload.find((t: any) => t.name === 'TreeOpened');
        const config = opened.fields.find((f: any) => f.name === 'config').type;
        config.fields = config.fields.filter((f: any) => f.name !== 'strategies');
        const sampled = payload.find((t: any) => t.name === 'StrategySampled');
        sampled.fields = sampled.fields.filter((f: any) => f.name !== 'strategyPolicy');
      }
      return schema;
    });
    const [opened, sampled] = sampleTreeEvents(1);
    const old = (e: TreeEvent) => {
      const { kind, ...payload } = e.payload as any;
      delete payload.strategyPolicy;
      if (payload.config) {
        payload.config = { ...payload.config };
        delete payload.config.strategies;
      }
      const wrapped = earlier.TreeEvent.clone(
        { ...e, payload: { [`arboretum.${kind}`]: payload } },
        { wrapUnions: true },
      );
      return codecs.TreeEvent.type.fromBuffer(
        earlier.TreeEvent.toBuffer(wrapped),
        codecs.TreeEvent.type.createResolver(earlier.TreeEvent),
      ) as any;
    };
    expect(old(opened).payload['arboretum.TreeOpened'].config.strategies).toBeNull();
    expect(old(sampled).payload['arboretum.StrategySampled'].strategyPolicy).toBeNull();
    // Today's records with a whole plan and a policy round-trip.
    const plan = {
      policy: 'weighted',
      seed: 3,
      library: [{ name: 'case-analysis', tasks: ['Logic'], instruction: 'Split into cases.', weight: 0.5 }],
    };
    const withPlan: TreeEvent = {
      ...opened,
      payload: {
        ...(opened.payload as any),
        config: { ...(opened.payload as any).config, strategies: plan },
      },
    };
    const withPolicy: TreeEvent = {
      ...sampled,
      payload: { ...(sampled.payload as any), strategyPolicy: 'weighted' },
    };
    for (const e of [withPlan, withPolicy])
      expect(codecs.TreeEvent.decode(codecs.TreeEvent.encode(e))).toEqual(e);
  });

  it('evolution: AnswerReceived and CritiqueRejected are appended union branches; older bytes still decode', () => {
    // The schema before them: the same payload union without its last two branches.
    const before = parseSchemas((name) => {
      const schema = readSchemaFile(name) as any;
      if (name === 'TreeEvent') {
        const payload = schema.fields.find((f: any) => f.name === 'payload');
        const names = payload.type.map((t: any) => t.name);
        const at = names.indexOf('AnswerReceived');
        expect(names.slice(at, at + 2)).toEqual(['AnswerReceived', 'CritiqueRejected']);
        payload.type = payload.type.slice(0, at);
      }
      return schema;
    }).TreeEvent;
    const old = sampleTreeEvents(2);
    const resolver = codecs.TreeEvent.type.createResolver(before);
    for (const e of old) {
      const bytes = before.toBuffer({ ...e, payload: { [`arboretum.${e.payload.kind}`]: e.payload } });
      const decoded = codecs.TreeEvent.type.fromBuffer(bytes, resolver) as any;
      expect(Object.keys(decoded.payload)).toEqual([`arboretum.${e.payload.kind}`]);
    }
    const base = { treeId: 't', seq: 3, time: 1, writer: 'w' };
    const fresh: TreeEvent[] = [
      {
        ...base,
        eventId: 't/t1.a0.0/AnswerReceived',
        payload: {
          kind: 'AnswerReceived',
          nodeId: 't1.a0.0',
          text: 'Step 1: 2',
          promptTokens: 3,
          completionTokens: 4,
          latencyMs: 5,
          finishReason: 'stop',
          failure: null,
        },
      },
      {
        ...base,
        eventId: 't/t1.a0.0#1/CritiqueRejected',
        payload: {
          kind: 'CritiqueRejected',
          nodeId: 't1.a0.0',
          attempt: 1,
          critique: 'The answer is 2.',
          model: 'critic',
          reason: 'states the reference answer (2)',
          promptTokens: 3,
          completionTokens: 4,
          latencyMs: 5,
          finishReason: null,
        },
      },
    ];
    for (const e of fresh) expect(codecs.TreeEvent.decode(codecs.TreeEvent.encode(e))).toEqual(e);
    // Defaults fill what JSON leaves out.
    expect(
      fromJson(codecs.TreeEvent, { ...fresh[0], payload: { kind: 'AnswerReceived', nodeId: 'n', text: '' } }),
    ).toEqual({
      ...fresh[0],
      payload: {
        kind: 'AnswerReceived',
        nodeId: 'n',
        text: '',
        promptTokens: 0,
        completionTokens: 0,
        latencyMs: 0,
        finishReason: null,
        failure: null,
      },
    });
  });

  it('evolution: TreeReopened is the last union branch; bytes written before it still decode', () => {
    const before = parseSchemas((name) => {
      const schema = readSchemaFile(name) as any;
      if (name === 'TreeEvent') {
        const payload = schema.fields.find((f: any) => f.name === 'payload');
        expect(payload.type.at(-1).name).toBe('TreeReopened');
        payload.type = payload.type.slice(0, -1);
      }
      return schema;
    }).TreeEvent;
    const resolver = codecs.TreeEvent.type.createResolver(before);
    const old: TreeEvent = {
      eventId: 't/t1.a0.0#0/CritiqueRejected',
      treeId: 't',
      seq: 4,
      time: 1,
      writer: 'w',
      payload: {
        kind: 'CritiqueRejected',
        nodeId: 't1.a0.0',
        attempt: 0,
        critique: '',
        model: 'critic',
        reason: 'empty',
        promptTokens: 0,
        completionTokens: 0,
        latencyMs: 0,
        finishReason: null,
      },
    };
    const bytes = before.toBuffer({ ...old, payload: { 'arboretum.CritiqueRejected': old.payload } });
    const decoded = codecs.TreeEvent.type.fromBuffer(bytes, resolver) as any;
    expect(Object.keys(decoded.payload)).toEqual(['arboretum.CritiqueRejected']);
    expect(decoded.payload['arboretum.CritiqueRejected'].reason).toBe('empty');
    const reopened: TreeEvent = {
      eventId: 't/g1/TreeReopened',
      treeId: 't',
      seq: 5,
      time: 2,
      writer: 'w',
      payload: { kind: 'TreeReopened', generation: 1, reason: 'grow --retry-failed' },
    };
    expect(codecs.TreeEvent.decode(codecs.TreeEvent.encode(reopened))).toEqual(reopened);
    // The reason has a default; the generation does not (a reopen always says which growth it starts).
    expect(
      fromJson(codecs.TreeEvent, { ...reopened, payload: { kind: 'TreeReopened', generation: 2 } }),
    ).toEqual({ ...reopened, payload: { kind: 'TreeReopened', generation: 2, reason: '' } });
  });

  it('evolution: TreeOpened bytes written before ownerGroup and leaseMs decode with null for both', () => {
    const before = parseSchemas((name) => {
      const schema = readSchemaFile(name) as any;
      if (name === 'TreeEvent') {
        const payload = schema.fields.find((f: any) => f.name === 'payload').type;
        const opened = payload.find((t: any) => t.name === 'TreeOpened');
        opened.fields = opened.fields.filter((f: any) => f.name !== 'ownerGroup' && f.name !== 'leaseMs');
      }
      return schema;
    }).TreeEvent;
    const instruction = sampleInstruction(3);
    const config = {
      maxTurns: 2,
      actorModels: ['a'],
      criticModel: null,
      expandAfterPair: true,
      params: {},
      strategies: null,
    };
    const bytes = before.toBuffer({
      eventId: 't/TreeOpened',
      treeId: 't',
      seq: 0,
      time: 1,
      writer: 'w',
      payload: { 'arboretum.TreeOpened': { instruction, config } },
    });
    const decoded = codecs.TreeEvent.type.fromBuffer(
      bytes,
      codecs.TreeEvent.type.createResolver(before),
    ) as any;
    expect(decoded.payload['arboretum.TreeOpened'].ownerGroup).toBeNull();
    expect(decoded.payload['arboretum.TreeOpened'].leaseMs).toBeNull();
    const opened: TreeEvent = {
      eventId: 't/TreeOpened',
      treeId: 't',
      seq: 0,
      time: 1,
      writer: 'w',
      payload: { kind: 'TreeOpened', instruction, config, ownerGroup: 'g1', leaseMs: 120_000 },
    };
    expect(codecs.TreeEvent.decode(codecs.TreeEvent.encode(opened))).toEqual(opened);
  });

  it('a codec told of a newer writer schema decodes its bytes', () => {
    const newer = parseSchemas((name) => {
      const schema = readSchemaFile(name) as any;
      if (name === 'Instruction')
        schema.fields.push({ name: 'difficulty', type: ['null', 'string'], default: null });
      return schema;
    }).Instruction;
    const body = newer.toBuffer({ ...sampleInstruction(4), difficulty: 'hard' });
    const bytes = Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprintOf(newer), body]);
    expect(() => codecs.Instruction.decode(bytes)).toThrow(/unknown writer schema/);
    codecs.Instruction.knowWriter(newer);
    expect(codecs.Instruction.decode(bytes)).toEqual(sampleInstruction(4));
  });
});
