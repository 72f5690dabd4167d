import { filter, map, type Observable } from 'rxjs';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { createLimiter } from '../../connectors/shared/createLimiter.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import type { Instruction, Task, TreeEvent, TurnExecuted, VerdictReached } from '../../schemas/types.ts';
import type { ActionJudge } from '../grow/actionJudge.ts';
import { applyReverdicts } from './applyReverdicts.ts';
import { collectReverdicts } from './collectReverdicts.ts';
import { nodeKeyOf } from './nodeKeyOf.ts';
import { reverdictIdOf } from './reverdictIdOf.ts';

export interface RegradeLogOptions {
  readonly log: EventLog;
  /** The environment and today's graders: the same judge the grower uses (sandbox, CAS, createGrader). */
  readonly judge: ActionJudge;
  /** The regrade's version (pipelines/grade/graderVersion.ts `combined`): part of every re-verdict's event id. */
  readonly graderVersion: string;
  /** VerdictReached.graderVersion for a judgement that names none (e.g. the syntax check); default ''. */
  readonly versionOf?: (grader: string) => string;
  /** Only trees of this task / dataset (the instruction's `task` / `dataset`). */
  readonly task?: Task;
  readonly dataset?: string;
  /** Trees graded at once (each runs its actions in order); default 2, the sandbox's usual width. */
  readonly concurrency?: number;
  /** Closed trees read and waiting to be regraded before the read pauses (memory bound); default 32 × concurrency. */
  readonly queuedTrees?: number;
  /** Grade and count, append nothing. */
  readonly dryRun?: boolean;
  /** TreeEvent.writer of the re-verdicts; default 'regrade'. */
  readonly writer?: string;
  /** Clock for TreeEvent.time, epoch ms; default Date.now. */
  readonly now?: () => number;
  /** Told after each tree is done. */
  readonly onTree?: (summary: RegradeSummary) => void;
}

export interface RegradeSummary {
  readonly graderVersion: string;
  /** Trees whose actions were regraded (after --task / --dataset). */
  readonly trees: number;
  /** Actions graded again. */
  readonly actions: number;
  /** Of them, labels that flipped: a re-verdict was (or, with dryRun, would be) appended for each. */
  readonly changed: number;
  readonly toCorrect: number;
  readonly toIncorrect: number;
  /** Actions not regraded: no verdict yet, or no usable answer (an API failure: no grader ran). */
  readonly skipped: number;
  /** Re-verdict events appended by this run. */
  readonly appended: number;
  /** Trees with events but no TreeOpened (no instruction, so no reference): not regraded; the first few ids. */
  readonly orphanTrees: number;
  readonly orphanIds: readonly string[];
  /**
   * Trees whose reference holds nothing to grade against (no answer; for Coding no tests), e.g. imported
   * UltraInteract trees: left as they are (grading them would mark every action incorrect); the first few ids.
   */
  readonly noReferenceTrees: number;
  readonly noReferenceIds: readonly string[];
}

interface RegradeNode {
  parentId: string | null;
  executed: TurnExecuted | null;
  verdict: VerdictReached | null;
}

interface RegradeTree {
  readonly treeId: string;
  instruction: Instruction | null;
  readonly nodes: Map<string, RegradeNode>;
  nextSeq: number;
}

/** The code of the executed ancestors from the root down to `parentId`, root first (the grower's notebook). */
function priorCellsOf(tree: RegradeTree, parentId: string | null): string[] {
  const cells: string[] = [];
  for (let id = parentId, guard = 0; id !== null && guard <= tree.nodes.size; guard++) {
    const node = tree.nodes.get(id);
    if (!node) break;
    if (node.executed?.code) cells.push(node.executed.code);
    id = node.parentId;
  }
  return cells.reverse();
}

/**
 * Re-runs today's graders over every logged action and appends a re-verdict (a VerdictReached with the
 * regrade's id, see reverdictIdOf) for each action whose label (`correct`) differs from its newest verdict.
 * Each action is judged as the grower judged it: its logged text, parsed again, its code run after the
 * code of its expanded ancestors (Math_PoT notebooks), against the reference of the tree's instruction. No
 * LLM is involved. A verdict that only words its reason differently is not appended: the labels, and so the
 * exports, change exactly where a re-verdict is.
 *
 * Two passes over the tree-events topic: the re-verdicts already there (so a second run with the same graders
 * adds nothing, and a run that died resumes where it stopped), then the trees, each regraded when its
 * TreeClosed is read (open trees at the end) and its re-verdicts appended in one append. Memory follows the
 * trees read and not yet regraded.
 */
export async function regradeLog(options: RegradeLogOptions): Promise<RegradeSummary> {
  const {
    log,
    judge,
    graderVersion,
    versionOf = () => '',
    task,
    dataset,
    concurrency = 2,
    queuedTrees = 32 * concurrency,
    dryRun = false,
    writer = 'regrade',
    now = Date.now,
    onTree,
  } = options;
  if (!graderVersion) throw new ArboretumError('INVALID_CONFIG', 'regrade: graderVersion must not be empty');
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ArboretumError('INVALID_CONFIG', `regrade: concurrency must be >= 1, got ${concurrency}`);
  const events = (): Observable<TreeEvent> => log.read(topics.treeEvents).pipe(map((r) => r.value));
  const reverdicts = await collectReverdicts(events());
  const summary = {
    graderVersion,
    trees: 0,
    actions: 0,
    changed: 0,
    toCorrect: 0,
    toIncorrect: 0,
    skipped: 0,
    appended: 0,
    orphanTrees: 0,
    orphanIds: [] as string[],
    noReferenceTrees: 0,
    noReferenceIds: [] as string[],
  };
  const copy = (): RegradeSummary => ({
    ...summary,
    orphanIds: [...summary.orphanIds],
    noReferenceIds: [...summary.noReferenceIds],
  });

  const regradeTree = async (tree: RegradeTree) => {
    const instruction = tree.instruction;
    if (instruction === null) {
      if (tree.nodes.size === 0) return;
      summary.orphanTrees++;
      if (summary.orphanIds.length < 5) summary.orphanIds.push(tree.treeId);
      return;
    }
    if (task !== undefined && instruction.task !== task) return;
    if (dataset !== undefined && instruction.dataset !== dataset) return;
    const ref = instruction.reference;
    if (instruction.task === 'Coding' ? !ref.tests?.length : ref.answer === null) {
      summary.noReferenceTrees++;
      if (summary.noReferenceIds.length < 5) summary.noReferenceIds.push(tree.treeId);
      return;
    }
    summary.trees++;
    const out: TreeEvent[] = [];
    for (const [nodeId, node] of tree.nodes) {
      const { executed, verdict } = node;
      if (executed === null || verdict === null || executed.failure !== null) {
        if (executed !== null || verdict !== null) summary.skipped++;
        continue;
      }
      const j = await judge.judge(instruction, executed.action, priorCellsOf(tree, node.parentId));
      summary.actions++;
      if (j.correct === verdict.correct) continue;
      summary.changed++;
      if (j.correct) summary.toCorrect++;
      else summary.toIncorrect++;
      const n = (reverdicts.byNode.get(nodeKeyOf(tree.treeId, nodeId))?.count ?? 0) + 1;
      out.push({
        eventId: reverdictIdOf(tree.treeId, nodeId, graderVersion, n),
        treeId: tree.treeId,
        seq: tree.nextSeq++,
        time: now(),
        writer,
        payload: {
          kind: 'VerdictReached',
          nodeId,
          correct: j.correct,
          grader: j.grader,
          detail: j.detail,
          graderVersion: j.graderVersion ?? versionOf(j.grader),
        },
      });
    }
    if (out.length && !dryRun) {
      await log.append(
        topics.treeEvents,
        out.map((value) => ({ key: value.treeId, value })),
      );
      summary.appended += out.length;
    }
    onTree?.(copy());
  };

  // Trees are regraded as they close, `concurrency` at a time; a failure (sandbox gone) stops the run.
  const trees = new Map<string, RegradeTree>();
  const ready: RegradeTree[] = [];
  const slots = createLimiter({ concurrency });
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  let resume: (() => void) | null = null;
  let endRead: (() => void) | null = null;
  const pump = () => {
    // A free slot is taken at once (acquire is synchronous then), so the loop starts no more than `concurrency`.
    while (failure === null && slots.active < concurrency && ready.length) {
      const tree = ready.shift()!;
      slots
        .run(() => regradeTree(tree))
        .catch((error) => {
          failure ??= { error };
          // A paused read is not resumed: end it, the run stops with this error.
          if (resume) {
            resume = null;
            endRead?.();
          }
        })
        .finally(() => {
          pump();
          if (resume && ready.length <= highWater / 4 && failure === null) resume();
          wake?.();
        });
    }
  };
  const seqs = new Map<string, number>();
  const fold = (e: TreeEvent) => {
    let tree = trees.get(e.treeId);
    if (!tree) {
      tree = { treeId: e.treeId, instruction: null, nodes: new Map(), nextSeq: 0 };
      trees.set(e.treeId, tree);
    }
    const p = e.payload;
    if (p.kind === 'TreeOpened') {
      tree.instruction ??= p.instruction;
      return;
    }
    // A tree closed `failed` may be reopened and grown again (TreeReopened, grow --retry-failed): it is regraded, every
    // growth's nodes (their ids differ), at its final close or at the end of the read, so its re-verdicts take seqs
    // after all its events.
    if (p.kind === 'TreeReopened' || (p.kind === 'TreeClosed' && p.outcome === 'failed')) return;
    if (p.kind === 'TreeClosed') {
      trees.delete(e.treeId);
      tree.nextSeq = seqs.get(e.treeId) ?? 0;
      seqs.delete(e.treeId);
      ready.push(tree);
      pump();
      return;
    }
    let node = tree.nodes.get(p.nodeId);
    if (!node) {
      node = { parentId: null, executed: null, verdict: null };
      tree.nodes.set(p.nodeId, node);
    }
    // The first fact of each kind counts, as in assemble's evolveTree.
    if (p.kind === 'StrategySampled') node.parentId ??= p.parentId;
    else if (p.kind === 'TurnExecuted') node.executed ??= p;
    else if (p.kind === 'VerdictReached') node.verdict ??= p;
  };
  // The log as it was when the run started: what this run appends (and a grower's later events) is not read.
  const ends = await log.endOffsets(topics.treeEvents);
  const positions = new Map<number, number>();
  const highWater = Math.max(1, queuedTrees);
  const apply = applyReverdicts(reverdicts);
  await new Promise<void>((resolve, reject) => {
    endRead = resolve;
    let paused = false;
    // Reading outruns grading by far: past `highWater` closed trees waiting, the read stops and resumes later from
    // the positions reached, so memory follows the trees in flight, not the log.
    const read = () => {
      const subscription = log
        .read(topics.treeEvents, { from: positions })
        .pipe(
          filter((r) => {
            if (paused || r.offset >= (ends.get(r.partition) ?? 0)) return false;
            positions.set(r.partition, r.offset + 1);
            // Seq after every event of the tree, the re-verdicts included (applyReverdicts drops those).
            seqs.set(r.value.treeId, Math.max(seqs.get(r.value.treeId) ?? 0, r.value.seq + 1));
            return true;
          }),
          map((r) => r.value),
          apply,
        )
        .subscribe({
          next(e) {
            fold(e);
            if (ready.length >= highWater && !paused) {
              paused = true;
              resume = () => {
                resume = null;
                paused = false;
                read();
              };
              queueMicrotask(() => subscription?.unsubscribe());
            }
          },
          error: reject,
          complete() {
            if (paused) return;
            for (const tree of trees.values()) {
              tree.nextSeq = seqs.get(tree.treeId) ?? 0;
              ready.push(tree);
            }
            trees.clear();
            pump();
            resolve();
          },
        });
    };
    read();
  });
  while (slots.active > 0 || (ready.length && failure === null)) {
    await new Promise<void>((r) => {
      wake = r;
    });
    wake = null;
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
  return copy();
}
