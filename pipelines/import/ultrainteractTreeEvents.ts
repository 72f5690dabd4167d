import { treeIdOf } from '../../schemas/ids.ts';
import { pushTreeEvent } from '../../schemas/pushTreeEvent.ts';
import type { Instruction, Task, TreeEvent, TreeEventPayload } from '../../schemas/types.ts';
import { pairDecisionsOf } from '../assemble/pairDecisionsOf.ts';
import { pairOf } from '../assemble/pairOf.ts';
import { UI_META } from '../assemble/rowIdOf.ts';
import { sftDecisionsOf } from '../assemble/sftDecisionsOf.ts';
import { treeOf } from '../assemble/treeOf.ts';
import { type Feedback, parseFeedback } from './parseFeedback.ts';
import type { ImportProblem, Located, UiGroup, UiPairRow, UiSftRow } from './ultrainteractRows.ts';

const TASKS: readonly string[] = ['Coding', 'Math_CoT', 'Math_PoT', 'Logic'];
/** Why an action known only from a trajectory is kept out of pairs, SFT and RM pairs. */
export const HISTORY_ONLY = 'imported: known only from a trajectory, not chosen or rejected in any row';

interface Node {
  readonly nodeId: string;
  readonly parentId: string | null;
  readonly turn: number;
  readonly correct: boolean;
  readonly action: string;
  feedback: Feedback | null;
  /** An incorrect action known only from a trajectory (rows are placed by turn, so no later row claims it). */
  readonly historyOnly: boolean;
  emitted: boolean;
}

export interface UiTreeOptions {
  /** Writer id on every event; default 'import'. */
  readonly writer?: string;
  /** Event time, epoch ms; default 0 so an import is reproducible. */
  readonly time?: number;
}

/**
 * Turns the public UltraInteract rows of one instruction into the events of one closed tree (pure), such that
 * exporting it gives the rows back: every pair row becomes a fresh correct and a fresh incorrect action under the
 * node its trajectory continues; trajectory steps become incorrect actions with their feedback as critique (reusing
 * the rejected action of an earlier row when the text matches); SFT rows reuse an unclaimed chosen action with the
 * same response, or become correct turn-1 actions. Original row ids go into the instruction's metadata. Rows that
 * cannot be placed are returned as problems (the rest of the group is still imported).
 */
export function ultrainteractTreeEvents(
  group: UiGroup,
  options: UiTreeOptions = {},
): { readonly events: TreeEvent[]; readonly problems: ImportProblem[] } {
  const { writer = 'import', time = 0 } = options;
  const problems: ImportProblem[] = [];
  // Well-formed rows first; the first of them sets the instruction, task and dataset of the tree.
  const shaped: Located<UiPairRow>[] = [];
  for (const located of group.pairs) {
    const t = located.row.trajectory;
    const shapeOk = t.length % 2 === 1 && t.every((u, i) => u.from === (i % 2 === 0 ? 'user' : 'assistant'));
    if (!shapeOk) {
      problems.push({
        source: located.source,
        reason: 'trajectory must alternate user/assistant, starting and ending with user',
      });
    } else if (!TASKS.includes(located.row.task)) {
      problems.push({
        source: located.source,
        reason: `task ${JSON.stringify(located.row.task)} is not one of ${TASKS.join(', ')}`,
      });
    } else shaped.push(located);
  }
  const sftTasked = group.sft.filter((l) => {
    if (TASKS.includes(l.row.task)) return true;
    problems.push({
      source: l.source,
      reason: `task ${JSON.stringify(l.row.task)} is not one of ${TASKS.join(', ')}`,
    });
    return false;
  });
  const first = shaped[0]?.row ?? sftTasked[0]?.row;
  if (!first) return { events: [], problems };
  const text = shaped.length ? shaped[0].row.trajectory[0].value : sftTasked[0].row.instruction;
  const treeId = treeIdOf(group.parentId);
  const nodes: Node[] = [];
  const newNode = (n: Omit<Node, 'nodeId' | 'emitted'>): Node => {
    const node = { ...n, nodeId: `ui-${nodes.length + 1}`, emitted: false };
    nodes.push(node);
    return node;
  };
  const sameGroup = (row: UiPairRow | UiSftRow, instruction: string, source: string) => {
    if (row.task !== first.task || row.dataset !== first.dataset) {
      problems.push({
        source,
        reason: `task/dataset differ from the first row of parent_id ${group.parentId}`,
      });
      return false;
    }
    if (instruction !== text) {
      problems.push({
        source,
        reason: `its instruction differs from the first row of parent_id ${group.parentId}`,
      });
      return false;
    }
    return true;
  };

  // Pair rows, by turn so that every history node exists before its children.
  const pairs: { row: UiPairRow; source: string; turn: number; path: Node[] }[] = [];
  for (const { row, source } of shaped) {
    const t = row.trajectory;
    if (sameGroup(row, t[0].value, source)) pairs.push({ row, source, turn: (t.length + 1) / 2, path: [] });
  }
  pairs.sort((a, b) => a.turn - b.turn);
  const rowOfChosen = new Map<Node, UiPairRow>();
  for (const p of pairs) {
    let parent: Node | null = null;
    for (let j = 1; j < p.turn; j++) {
      const action = p.row.trajectory[2 * j - 1].value;
      const feedback = parseFeedback(p.row.trajectory[2 * j].value);
      const under = nodes.filter(
        (n) => n.parentId === (parent?.nodeId ?? null) && !n.correct && n.action === action,
      );
      const same = (f: Feedback | null) =>
        f !== null &&
        f.observation === feedback.observation &&
        f.critique === feedback.critique &&
        f.code === feedback.code &&
        f.critic === feedback.critic;
      let node = under.find((n) => same(n.feedback)) ?? under.find((n) => n.feedback === null);
      if (!node)
        node = newNode({
          parentId: parent?.nodeId ?? null,
          turn: j,
          correct: false,
          action,
          feedback: null,
          historyOnly: true,
        });
      node.feedback = feedback;
      parent = node;
    }
    const parentId = parent?.nodeId ?? null;
    const chosen = newNode({
      parentId,
      turn: p.turn,
      correct: true,
      action: p.row.chosen,
      feedback: null,
      historyOnly: false,
    });
    const rejected = newNode({
      parentId,
      turn: p.turn,
      correct: false,
      action: p.row.rejected,
      feedback: null,
      historyOnly: false,
    });
    rowOfChosen.set(chosen, p.row);
    // The order actions complete in decides how siblings pair: emit this row's chosen, then its rejected.
    p.path = [chosen, rejected];
  }

  // SFT rows: reuse an unclaimed chosen action with the same response, else a correct turn-1 action.
  const sftIdOf = new Map<Node, string>();
  const sftOnly: Node[] = [];
  for (const { row, source } of sftTasked) {
    if (!sameGroup(row, row.instruction, source)) continue;
    let node = nodes.find((n) => n.correct && n.action === row.response && !sftIdOf.has(n));
    if (!node) {
      node = newNode({
        parentId: null,
        turn: 1,
        correct: true,
        action: row.response,
        feedback: null,
        historyOnly: false,
      });
      sftOnly.push(node);
    }
    sftIdOf.set(node, row.id);
  }

  // Events: TreeOpened, then each pair row's history, chosen and rejected, then SFT-only actions, then TreeClosed.
  const events: TreeEvent[] = [];
  const push = (nodeId: string | null, payload: TreeEventPayload) =>
    pushTreeEvent(events, { treeId, nodeId, time, writer, payload });
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  const emit = (node: Node) => {
    if (node.emitted) return;
    if (node.parentId !== null) emit(byId.get(node.parentId)!);
    node.emitted = true;
    push(node.nodeId, {
      kind: 'StrategySampled',
      nodeId: node.nodeId,
      parentId: node.parentId,
      turn: node.turn,
      strategy: 'unknown',
      model: 'ultrainteract',
      role: node.historyOnly ? 'history' : node.correct ? 'chosen' : 'rejected',
      attempt: 0,
      params: { temperature: 1, topP: 1, maxTokens: 0, seed: null },
      prompt: [],
      strategyPolicy: null,
    });
    push(node.nodeId, {
      kind: 'TurnExecuted',
      nodeId: node.nodeId,
      action: node.action,
      code: node.feedback?.code ?? null,
      answer: null,
      syntaxOk: true,
      observation: node.feedback?.observation ?? '',
      promptTokens: 0,
      completionTokens: 0,
      latencyMs: 0,
      failure: node.historyOnly ? HISTORY_ONLY : null,
    });
    push(node.nodeId, {
      kind: 'VerdictReached',
      nodeId: node.nodeId,
      correct: node.correct,
      grader: 'ultrainteract',
      detail: 'imported',
      graderVersion: '',
    });
    if (node.feedback) {
      push(node.nodeId, {
        kind: 'CritiqueEmitted',
        nodeId: node.nodeId,
        critique: node.feedback.critique,
        model: node.feedback.critic,
        promptTokens: 0,
        completionTokens: 0,
        latencyMs: 0,
      });
    }
  };
  const instruction: Instruction = {
    id: group.parentId,
    task: first.task as Task,
    dataset: first.dataset,
    instruction: text,
    reference: { answer: null, solution: null, tests: null, choices: null, entryPoint: null, testKind: null },
    metadata: {},
  };
  push(null, {
    kind: 'TreeOpened',
    ownerGroup: null,
    leaseMs: null,
    instruction,
    config: {
      maxTurns: 5,
      actorModels: [],
      criticModel: null,
      expandAfterPair: true,
      params: { source: 'ultrainteract' },
      strategies: null,
    },
  });
  for (const p of pairs) for (const n of p.path) emit(n);
  for (const n of sftOnly) emit(n);
  push(null, {
    kind: 'TreeClosed',
    outcome: nodes.some((n) => n.correct) ? 'solved' : 'exhausted',
    reason: 'imported from UltraInteract',
  });

  // Original ids by the (turn, rank) the assembler will give each row; keep only those that differ from ours.
  const tree = treeOf(treeId, events);
  const metadata: Record<string, string> = {};
  const keep = (kind: 'pair' | 'sft', turn: number, ordinal: number, id: string | undefined) => {
    if (id !== undefined && id !== `${treeId}_${turn}_${ordinal}`)
      metadata[`${UI_META.idPrefix}${kind}.${turn}_${ordinal}`] = id;
  };
  for (const d of pairDecisionsOf(tree)) {
    const row = rowOfChosen.get(nodes.find((n) => n.nodeId === d.chosen.nodeId)!);
    keep('pair', d.turn, d.ordinal, row?.id);
    const laidOut = pairOf(tree, d);
    if (row && (laidOut.rejected !== row.rejected || laidOut.trajectory.length !== row.trajectory.length)) {
      const source = pairs.find((p) => p.row === row)!.source;
      problems.push({ source, reason: 'imported, but its pair does not re-export as the same row' });
    }
  }
  for (const d of sftDecisionsOf(tree))
    keep('sft', d.turn, d.ordinal, sftIdOf.get(nodes.find((n) => n.nodeId === d.node.nodeId)!));
  const opened = events[0].payload as Extract<TreeEventPayload, { kind: 'TreeOpened' }>;
  events[0] = { ...events[0], payload: { ...opened, instruction: { ...instruction, metadata } } };
  return { events, problems };
}
