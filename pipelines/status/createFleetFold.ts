import { treeIdOf } from '../../schemas/ids.ts';
import type { Instruction, Outcome, TreeEvent } from '../../schemas/types.ts';

/** How long a group owns the trees it opened after its last event, when its TreeOpened records no lease (ms). */
export const DEFAULT_LEASE_MS = 120_000;

/** One worker (writer id) as the log shows it. */
export interface WriterStatus {
  readonly writer: string;
  /** The group of the trees it wrote to (null: outside any group). */
  readonly group: string | null;
  /** Trees whose last event is this writer's, by state. */
  readonly open: number;
  readonly closed: number;
  readonly failed: number;
  /** LLM calls answered on the log by this writer (actor answers, critiques and rejected critiques). */
  readonly calls: number;
  readonly tokens: number;
  /** Epoch ms of its last event. */
  readonly lastAt: number;
}

export interface PartitionStatus {
  readonly partition: number;
  readonly instructions: number;
  readonly open: number;
  readonly closed: number;
  readonly failed: number;
}

export interface GroupStatus {
  /** null: trees opened outside any consumer group. */
  readonly group: string | null;
  /** Epoch ms of the last event on a tree the group opened. */
  readonly lastAt: number;
  readonly leaseMs: number;
  /** True while lastAt is younger than the lease at `now`: the group owns its trees. */
  readonly live: boolean;
  /** Trees it opened that are not closed. */
  readonly open: number;
}

/** The fleet as the log shows it at `now`. */
export interface FleetStatus {
  /** Distinct instructions on the instructions topic. */
  readonly instructions: number;
  /** Trees on the log: opened and not closed, closed (any outcome), of which closed `failed`. */
  readonly open: number;
  readonly closed: number;
  readonly failed: number;
  readonly solved: number;
  readonly exhausted: number;
  /** Instructions with no tree on the log yet. */
  readonly waiting: number;
  readonly calls: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** At least one instruction, and the tree of every one is closed. */
  readonly complete: boolean;
  readonly writers: readonly WriterStatus[];
  readonly partitions: readonly PartitionStatus[];
  readonly groups: readonly GroupStatus[];
  /** Calls and tokens per model (an action's model from its StrategySampled, a critique's its own): what costs. */
  readonly models: readonly ModelUsage[];
}

export interface ModelUsage {
  readonly model: string;
  readonly calls: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

interface TreeState {
  partition: number;
  /** Group of the tree's first TreeOpened in log order (its owner), undefined before it. */
  group: string | null | undefined;
  closed: Outcome | null;
  lastWriter: string;
  /** Model of each action sampled and not yet answered (nodeId → model), so its answer's tokens go to its model. */
  asked: Map<string, string>;
}

interface WriterState {
  group: string | null;
  calls: number;
  tokens: number;
  lastAt: number;
  /** It wrote a TreeOpened: its group is known from it. */
  opener: boolean;
}

/**
 * The fleet status folded from the log, record by record, in bounded memory per tree: instructions submitted, the
 * state of every tree, per writer, partition and group, LLM calls and tokens. The owner of a tree is the group of its
 * first TreeOpened in log order; a group's lease runs from the last event on any tree it opened (its workers renew it
 * by growing). No I/O: readers feed it (cli status, grow --until-done, the grower's view of other groups).
 */
export function createFleetFold() {
  const submitted = new Map<string, number>();
  const trees = new Map<string, TreeState>();
  const writers = new Map<string, WriterState>();
  const groups = new Map<string | null, { lastAt: number; leaseMs: number }>();
  const totals = { calls: 0, promptTokens: 0, completionTokens: 0 };
  const models = new Map<string, { calls: number; promptTokens: number; completionTokens: number }>();

  const instruction = (value: Instruction, partition: number) => {
    submitted.set(treeIdOf(value.id), partition);
  };

  const treeEvent = (e: TreeEvent, partition: number) => {
    let tree = trees.get(e.treeId);
    if (!tree) {
      tree = { partition, group: undefined, closed: null, lastWriter: e.writer, asked: new Map() };
      trees.set(e.treeId, tree);
    }
    tree.lastWriter = e.writer;
    const p = e.payload;
    if (p.kind === 'TreeOpened' && tree.group === undefined) tree.group = p.ownerGroup;
    if (p.kind === 'TreeClosed') {
      tree.closed = p.outcome;
      tree.asked.clear();
    }
    if (p.kind === 'StrategySampled') tree.asked.set(p.nodeId, p.model);
    if (p.kind === 'TreeReopened') tree.closed = null;
    const group = tree.group ?? null;
    let w = writers.get(e.writer);
    if (!w) {
      w = { group, calls: 0, tokens: 0, lastAt: 0, opener: false };
      writers.set(e.writer, w);
    }
    // A writer's group is the one its own TreeOpened events record; until it opens one, that of the trees it writes.
    if (p.kind === 'TreeOpened') {
      w.group = p.ownerGroup;
      w.opener = true;
    } else if (!w.opener && tree.group !== undefined) w.group = group;
    w.lastAt = Math.max(w.lastAt, e.time);
    if (p.kind === 'AnswerReceived' || p.kind === 'CritiqueEmitted' || p.kind === 'CritiqueRejected') {
      w.calls++;
      w.tokens += p.promptTokens + p.completionTokens;
      totals.calls++;
      totals.promptTokens += p.promptTokens;
      totals.completionTokens += p.completionTokens;
      const model = p.kind === 'AnswerReceived' ? (tree.asked.get(p.nodeId) ?? '(unknown)') : p.model;
      if (p.kind === 'AnswerReceived') tree.asked.delete(p.nodeId);
      const m = models.get(model) ?? { calls: 0, promptTokens: 0, completionTokens: 0 };
      m.calls++;
      m.promptTokens += p.promptTokens;
      m.completionTokens += p.completionTokens;
      models.set(model, m);
    }
    // The owning group's lease is renewed by its own writers' events (not by another group's writer on its trees).
    if (tree.group !== undefined && w.group === group) {
      const g = groups.get(group) ?? { lastAt: 0, leaseMs: DEFAULT_LEASE_MS };
      g.lastAt = Math.max(g.lastAt, e.time);
      if (p.kind === 'TreeOpened' && p.leaseMs !== null) g.leaseMs = p.leaseMs;
      groups.set(group, g);
    }
  };

  /** The owning group of a tree while its lease runs at `now`; undefined when nobody holds it. */
  const holder = (treeId: string, now: number): { group: string | null } | undefined => {
    const tree = trees.get(treeId);
    if (!tree || tree.group === undefined || tree.closed) return undefined;
    const g = groups.get(tree.group);
    return g && now - g.lastAt < g.leaseMs ? { group: tree.group } : undefined;
  };

  const status = (now: number): FleetStatus => {
    const byPartition = new Map<
      number,
      { instructions: number; open: number; closed: number; failed: number }
    >();
    const part = (p: number) => {
      let s = byPartition.get(p);
      if (!s) {
        s = { instructions: 0, open: 0, closed: 0, failed: 0 };
        byPartition.set(p, s);
      }
      return s;
    };
    const byWriter = new Map<string, { open: number; closed: number; failed: number }>();
    const groupOpen = new Map<string | null, number>();
    const outcomes = { solved: 0, exhausted: 0, failed: 0 };
    let open = 0;
    for (const [, t] of trees) {
      const w = byWriter.get(t.lastWriter) ?? { open: 0, closed: 0, failed: 0 };
      byWriter.set(t.lastWriter, w);
      const s = part(t.partition);
      if (t.closed) {
        outcomes[t.closed]++;
        w.closed++;
        s.closed++;
        if (t.closed === 'failed') {
          w.failed++;
          s.failed++;
        }
      } else if (t.group !== undefined) {
        open++;
        w.open++;
        s.open++;
        groupOpen.set(t.group, (groupOpen.get(t.group) ?? 0) + 1);
      }
    }
    let waiting = 0;
    let done = 0;
    for (const [treeId, p] of submitted) {
      part(p).instructions++;
      const t = trees.get(treeId);
      if (!t || t.group === undefined) waiting++;
      if (t?.closed) done++;
    }
    const closed = outcomes.solved + outcomes.exhausted + outcomes.failed;
    return {
      instructions: submitted.size,
      open,
      closed,
      ...outcomes,
      waiting,
      ...totals,
      complete: submitted.size > 0 && done === submitted.size,
      writers: [...writers]
        .map(([writer, w]) => ({
          writer,
          group: w.group,
          ...(byWriter.get(writer) ?? { open: 0, closed: 0, failed: 0 }),
          calls: w.calls,
          tokens: w.tokens,
          lastAt: w.lastAt,
        }))
        .sort((a, b) => a.writer.localeCompare(b.writer)),
      partitions: [...byPartition]
        .map(([partition, s]) => ({ partition, ...s }))
        .sort((a, b) => a.partition - b.partition),
      groups: [...groups].map(([group, g]) => ({
        group,
        lastAt: g.lastAt,
        leaseMs: g.leaseMs,
        live: now - g.lastAt < g.leaseMs,
        open: groupOpen.get(group) ?? 0,
      })),
      models: [...models]
        .map(([model, m]) => ({ model, ...m }))
        .sort((a, b) => a.model.localeCompare(b.model)),
    };
  };

  return { instruction, treeEvent, holder, status };
}

export type FleetFold = ReturnType<typeof createFleetFold>;
