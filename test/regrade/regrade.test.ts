import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import { reportData } from '../../analytics/report/reportData.ts';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { createCas } from '../../connectors/sandbox/createCas.ts';
import { createSandbox } from '../../connectors/sandbox/createSandbox.ts';
import { reference as referenceWith } from '../../connectors/sources/adapterFields.ts';
import { syncLog } from '../../pipelines/analyticsSink/syncLog.ts';
import { createGrader } from '../../pipelines/grade/createGrader.ts';
import { graderVersion } from '../../pipelines/grade/graderVersion.ts';
import { type ParsedAction, parseAction } from '../../pipelines/grade/parseAction.ts';
import { createGradeJudge } from '../../pipelines/grow/createGradeJudge.ts';
import { regradeLog } from '../../pipelines/regrade/regradeLog.ts';
import { reverdictIdOf } from '../../pipelines/regrade/reverdictIdOf.ts';
import { treeIdOf } from '../../schemas/ids.ts';
import { pushTreeEvent } from '../../schemas/pushTreeEvent.ts';
import type { Reference, Task, TreeEvent, TreeEventPayload } from '../../schemas/types.ts';
import { readTreeEvents } from '../support/readTreeEvents.ts';
import { type ScriptedOpenAI, startScriptedOpenAI } from '../support/scriptedOpenAI.ts';

const run = promisify(execFile);
let llm: ScriptedOpenAI;
let proxy: Server;
let connections = 0;
let proxyUrl: string;
const cli = (args: string[]) =>
  run(process.execPath, ['bin/arboretum.js', ...args], {
    cwd: process.cwd(),
    // Were any LLM client made, it would talk to the scripted endpoint through the counting proxy.
    env: {
      ...process.env,
      OPENAI_BASE_URL: proxyUrl,
      OPENAI_API_KEY: 'sk-test',
      ARBORETUM_MODEL: 'scripted',
    },
    maxBuffer: 1 << 24,
  }).then(
    (r) => ({ code: 0, ...r }),
    (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
  );

interface Node {
  readonly id: string;
  readonly parent?: string;
  readonly turn?: number;
  readonly action: string;
  readonly code?: string;
  /** The label written by the deliberately old rule. */
  readonly logged: boolean;
  readonly critique?: boolean;
}

/** One tree's events as the grower writes them (ids by eventIdOf, seq from 0). */
function treeEvents(
  instructionId: string,
  task: Task,
  reference: Partial<Reference>,
  nodes: readonly Node[],
  closed = true,
): TreeEvent[] {
  const treeId = treeIdOf(instructionId);
  const out: TreeEvent[] = [];
  const emit = (nodeId: string | null, payload: TreeEventPayload) =>
    pushTreeEvent(out, {
      treeId,
      nodeId,
      time: 1_700_000_000_000 + out.length,
      writer: 'old-grower',
      payload,
    });
  emit(null, {
    kind: 'TreeOpened',
    ownerGroup: null,
    leaseMs: null,
    instruction: {
      id: instructionId,
      task,
      dataset: 'regrade-test',
      instruction: `Problem ${instructionId}`,
      reference: referenceWith(reference),
      metadata: {},
    },
    config: {
      maxTurns: 3,
      actorModels: ['strong', 'weak'],
      criticModel: 'critic',
      expandAfterPair: true,
      params: {},
      strategies: null,
    },
  });
  for (const n of nodes) {
    emit(n.id, {
      kind: 'StrategySampled',
      nodeId: n.id,
      parentId: n.parent ?? null,
      turn: n.turn ?? 1,
      strategy: 'chain-of-thought',
      model: 'm',
      role: 'strong',
      attempt: 0,
      params: { temperature: 1, topP: 1, maxTokens: 1024, seed: null },
      prompt: [],
      strategyPolicy: null,
    });
    emit(n.id, {
      kind: 'TurnExecuted',
      nodeId: n.id,
      action: n.action,
      code: n.code ?? null,
      answer: null,
      syntaxOk: true,
      observation: '',
      promptTokens: 1,
      completionTokens: 1,
      latencyMs: 1,
      failure: null,
    });
    emit(n.id, {
      kind: 'VerdictReached',
      nodeId: n.id,
      correct: n.logged,
      grader: 'old',
      detail: 'old rule',
      graderVersion: '',
    });
    if (n.critique)
      emit(n.id, {
        kind: 'CritiqueEmitted',
        nodeId: n.id,
        critique: 'Look again.',
        model: 'critic',
        promptTokens: 1,
        completionTokens: 1,
        latencyMs: 1,
      });
  }
  if (closed) emit(null, { kind: 'TreeClosed', outcome: 'exhausted', reason: '' });
  return out;
}

const QUOTE =
  'Step 1: Every bird in the park is a pigeon, and Tweety is in the park.\nStep 2: So Tweety is a pigeon.\n' +
  'The correct answer is yes.\n\nA common slip is to write The answer is "no" but that ignores step 1.';
const fence = (code: string) => `Step 1: compute.\n\`\`\`python\n${code}\n\`\`\``;
const ADD = 'def add(x, y):\n    return x + y';
const SUB = 'def add(x, y):\n    return x - y';

// Labels the old rule got wrong: q (a quotation read as the answer), m3 (turn-2 PoT that prints 43, logged
// correct), c1 (assert-style tests the old grader could not run), o1 (a prose "Therefore, yes", open tree).
const CHANGED = {
  q: QUOTE,
  m3: fence('print(x + 3)'),
  c1: fence(ADD),
  o1: 'Both premises hold.\nTherefore, yes.',
};
const TREES: TreeEvent[][] = [
  treeEvents('logic-quote', 'Logic', { answer: 'yes' }, [
    { id: 'q', action: QUOTE, logged: false },
    { id: 'p', action: 'No, it does not logically follow.', logged: false },
  ]),
  treeEvents('logic-mc', 'Logic', { answer: 'B', choices: ['w', 'x', 'y', 'z'] }, [
    { id: 'a', action: 'Step 1: only B fits.\nAnswer: B', logged: true },
    { id: 'b', action: 'Step 1: C fits.\nAnswer: C', logged: false },
  ]),
  // Turn 2 builds on turn 1's notebook: x is defined only by the ancestor's cell.
  treeEvents('pot-notebook', 'Math_PoT', { answer: '42' }, [
    { id: 'm1', action: fence('x = 40\nprint(x)'), code: 'x = 40\nprint(x)', logged: false, critique: true },
    { id: 'm2', parent: 'm1', turn: 2, action: fence('print(x + 2)'), code: 'print(x + 2)', logged: true },
    { id: 'm3', parent: 'm1', turn: 2, action: fence('print(x + 3)'), code: 'print(x + 3)', logged: true },
  ]),
  treeEvents(
    'code-assert',
    'Coding',
    {
      tests: [
        { input: 'def check(candidate):\n    assert candidate(2, 3) == 5\n\ncheck(add)\n', output: '' },
      ],
      entryPoint: 'add',
      testKind: 'assert',
    },
    [
      { id: 'c1', action: fence(ADD), code: ADD, logged: false },
      { id: 'c2', action: fence(SUB), code: SUB, logged: false },
    ],
  ),
  treeEvents(
    'logic-open',
    'Logic',
    { answer: 'yes' },
    [{ id: 'o1', action: CHANGED.o1, logged: false }],
    false,
  ),
];

let dir: string;
let logUri: string;
const logDir = () => join(dir, 'log');

function readEvents(): Promise<TreeEvent[]> {
  return readTreeEvents(logDir());
}

async function exportBoth(tag: string): Promise<{ sft: string[]; pairs: string[]; card: string }> {
  const sft = join(dir, tag, 'sft.jsonl');
  const pairs = join(dir, tag, 'pairs', 'pairs.jsonl');
  for (const [format, out, card] of [
    ['ultrainteract-sft', sft, []],
    ['ultrainteract-pair', pairs, ['--card', '--license', 'unknown']],
  ] as const) {
    const r = await cli(['export', '--log', logUri, '--format', format, '--out', out, ...card]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }
  const lines = async (f: string) => (await readFile(f, 'utf8')).split('\n').filter(Boolean);
  return {
    sft: await lines(sft),
    pairs: await lines(pairs),
    card: await readFile(join(dir, tag, 'pairs', 'README.md'), 'utf8'),
  };
}

const minus = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-regrade-'));
  logUri = `file:${logDir()}`;
  llm = await startScriptedOpenAI();
  // A TCP proxy in front of the scripted endpoint: counts every connection, whatever the route.
  const target = new URL(llm.baseUrl);
  proxy = createServer((socket) => {
    connections++;
    const upstream = connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as { port: number }).port;
  proxyUrl = `http://127.0.0.1:${port}/v1`;
  const log = createFileEventLog({ dir: logDir(), fsync: 'never', onRecovered: () => {} });
  for (const events of TREES)
    await log.append(
      topics.treeEvents,
      events.map((value) => ({ key: value.treeId, value })),
    );
  await log.close();
});
afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  await llm?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('arboretum regrade', () => {
  it("re-labels exactly the actions today's graders reverse; exports, analytics and report follow; no LLM call", async () => {
    const db = await openAnalyticsDb({ path: join(dir, 'a.duckdb') });
    try {
      await syncLog({
        log: createFileEventLog({ dir: logDir(), fsync: 'never' }),
        connection: db.connection,
      });
      const before = await exportBoth('before');
      const eventsBefore = await readEvents();

      const r = await cli(['regrade', '--log', logUri]);
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(
          `regrade ${graderVersion.combined.replaceAll('+', '\\+')}: 5 trees, 10 actions graded .*; 4 labels changed \\(3 to correct, 1 to incorrect\\); 4 verdicts appended`,
        ),
      );

      // The log: exactly one new VerdictReached per changed node, with the regrade's id and grader version.
      const eventsAfter = await readEvents();
      expect(eventsAfter.slice(0, eventsBefore.length)).toEqual(eventsBefore);
      const added = eventsAfter.slice(eventsBefore.length);
      const byNode = new Map(
        TREES.flatMap((t) =>
          t
            .filter((e) => e.payload.kind === 'TurnExecuted')
            .map((e) => [(e.payload as { nodeId: string }).nodeId, e.treeId] as const),
        ),
      );
      expect(
        added.map((e) => ({ id: e.eventId, p: e.payload })).sort((x, y) => x.id.localeCompare(y.id)),
      ).toEqual(
        (['q', 'm3', 'c1', 'o1'] as const)
          .map((n) => ({
            id: reverdictIdOf(byNode.get(n)!, n, graderVersion.combined, 1),
            p: expect.objectContaining({
              kind: 'VerdictReached',
              nodeId: n,
              correct: n !== 'm3',
              graderVersion: {
                q: graderVersion.logic,
                o1: graderVersion.logic,
                m3: graderVersion.math,
                c1: graderVersion.code,
              }[n],
            }),
          }))
          .sort((x, y) => x.id.localeCompare(y.id)),
      );
      // Seq continues each tree, after its TreeClosed.
      for (const e of added) {
        const seqs = eventsBefore.filter((b) => b.treeId === e.treeId).map((b) => b.seq);
        expect(e.seq).toBe(Math.max(...seqs) + 1);
      }

      // Exports change exactly at the changed nodes: SFT gains q, c1, o1 and loses m3; the pairs that appear all
      // hold a changed action; every other row is byte-identical.
      const after = await exportBoth('after');
      const response = (line: string) => JSON.parse(line).response as string;
      expect(minus(after.sft, before.sft).map(response).sort()).toEqual(
        [CHANGED.q, CHANGED.c1, CHANGED.o1].sort(),
      );
      expect(minus(before.sft, after.sft).map(response)).toEqual([CHANGED.m3]);
      const changedTexts = new Set(Object.values(CHANGED));
      const newPairs = minus(after.pairs, before.pairs).map((l) => JSON.parse(l));
      expect(newPairs.map((p) => [p.parent_id, p.chosen, p.rejected]).sort()).toEqual(
        [
          ['code-assert', fence(ADD), fence(SUB)],
          ['logic-quote', QUOTE, 'No, it does not logically follow.'],
          ['pot-notebook', fence('print(x + 2)'), CHANGED.m3],
        ].sort(),
      );
      for (const p of newPairs) expect(changedTexts.has(p.chosen) || changedTexts.has(p.rejected)).toBe(true);
      expect(minus(before.pairs, after.pairs)).toEqual([]);
      expect(before.pairs).toHaveLength(1);
      expect(after.pairs).toContain(before.pairs[0]);
      expect(before.card).not.toContain('regraded');
      expect(after.card).toContain(
        `regraded from the log by \`arboretum regrade\` with grader \`${graderVersion.code}\`, \`${graderVersion.logic}\`, \`${graderVersion.math}\`; 4 action labels changed`,
      );

      // Analytics: the next sync meets the re-verdicts, rebuilds, and its tables agree with the export.
      const count = async (sql: string) => Number((await db.query(sql)).rows[0][0]);
      expect(await count('SELECT count(*) FROM pair_rows')).toBe(1);
      const sync = await syncLog({
        log: createFileEventLog({ dir: logDir(), fsync: 'never' }),
        connection: db.connection,
      });
      expect(sync.rebuilt).toBe(true);
      expect(await count('SELECT count(*) FROM pair_rows')).toBe(after.pairs.length);
      expect(await count('SELECT count(*) FROM sft_rows')).toBe(after.sft.length);
      expect(await count('SELECT count(*) FROM verdict_reached')).toBe(10);
      expect(await count('SELECT count(*) FROM nodes WHERE correct')).toBe(5);
      const report = await reportData(db);
      expect(report.totals.labels_changed_by_regrade).toBe(4);
      expect(report.labels.rows.map((row) => row.map(String))).toEqual([
        ['(unversioned)', '6', '0'],
        [graderVersion.code, '1', '1'],
        [graderVersion.logic, '2', '2'],
        [graderVersion.math, '1', '1'],
      ]);
      // A sync with nothing new does not rebuild again.
      const again = await syncLog({
        log: createFileEventLog({ dir: logDir(), fsync: 'never' }),
        connection: db.connection,
      });
      expect(again.rebuilt).toBeUndefined();
      expect(await count('SELECT count(*) FROM pair_rows')).toBe(after.pairs.length);

      // A second regrade with the same graders adds nothing, and the exports stay the same bytes.
      const second = await cli(['regrade', '--log', logUri]);
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/0 labels changed .*; 0 verdicts appended/);
      expect(await readEvents()).toHaveLength(eventsAfter.length);
      const third = await exportBoth('third');
      expect(third).toEqual(after);

      // No LLM was asked, nor even connected to.
      expect(connections).toBe(0);
      expect(llm.requests).toEqual([]);
      expect(llm.answered()).toBe(0);
    } finally {
      db.close();
    }
  }, 240_000);

  it('a regrade stopped part-way resumes: the next run appends only what is left', async () => {
    const partDir = join(dir, 'partial-log');
    const log = createFileEventLog({ dir: partDir, fsync: 'never', onRecovered: () => {} });
    const sandbox = createSandbox({ concurrency: 2 });
    const cas = createCas();
    const grader = createGrader({ sandbox, cas });
    const judge = createGradeJudge<ParsedAction>({
      sandbox,
      parse: parseAction,
      grade: (i, a) => grader.grade(i, a),
    });
    const options = { log, judge, graderVersion: graderVersion.combined, now: () => 1_800_000_000_000 };
    try {
      for (const events of TREES)
        await log.append(
          topics.treeEvents,
          events.map((value) => ({ value })),
        );
      const dry = await regradeLog({ ...options, dryRun: true });
      expect(dry).toMatchObject({ trees: 5, actions: 10, changed: 4, appended: 0 });
      // The run that "died" after the Logic trees: only they were regraded.
      const logic = await regradeLog({ ...options, task: 'Logic' });
      expect(logic).toMatchObject({ trees: 3, actions: 5, changed: 2, toCorrect: 2, appended: 2 });
      // One tree queued at most: the read pauses and resumes from its positions after every tree.
      const rest = await regradeLog({ ...options, queuedTrees: 1, concurrency: 1 });
      expect(rest).toMatchObject({
        trees: 5,
        actions: 10,
        changed: 2,
        toCorrect: 1,
        toIncorrect: 1,
        appended: 2,
      });
      expect(await regradeLog(options)).toMatchObject({ changed: 0, appended: 0, orphanTrees: 0 });
      // A tree whose TreeOpened is missing cannot be graded: counted and named, never silently passed over.
      const orphan = TREES[1].slice(1).map((e) => ({
        ...e,
        treeId: 'orphan-tree',
        eventId: `orphan-tree/${e.eventId.split('/').slice(1).join('/')}`,
      }));
      await log.append(
        topics.treeEvents,
        orphan.map((value) => ({ value })),
      );
      expect(await regradeLog(options)).toMatchObject({
        orphanTrees: 1,
        orphanIds: ['orphan-tree'],
        appended: 0,
      });
      // An imported tree has no reference: its labels are left alone, not all turned incorrect.
      const imported = treeEvents('imported', 'Logic', {}, [{ id: 'i1', action: 'Answer: B', logged: true }]);
      await log.append(
        topics.treeEvents,
        imported.map((value) => ({ value })),
      );
      expect(await regradeLog(options)).toMatchObject({
        noReferenceTrees: 1,
        noReferenceIds: [imported[0].treeId],
        changed: 0,
        appended: 0,
      });
      await expect(regradeLog({ ...options, graderVersion: '' })).rejects.toThrow(
        /graderVersion must not be empty/,
      );
    } finally {
      cas.close();
      await sandbox.close();
      await log.close();
    }
  }, 120_000);
});
