import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { assemble } from '../../pipelines/assemble/assemble.ts';
import type { Assembled } from '../../pipelines/assemble/assembled.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { treeScript } from '../assemble/treeScript.ts';

/** A fresh file log in a temporary folder; `dispose` closes and removes it. */
export async function tempLog(): Promise<{ log: EventLog; dir: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'arboretum-analytics-test-'));
  const log = createFileEventLog({ dir: join(dir, 'log'), fsync: 'never' });
  return {
    log,
    dir,
    dispose: async () => {
      await log.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function appendEvents(log: EventLog, events: readonly TreeEvent[]): Promise<void> {
  if (events.length)
    await log.append(
      topics.treeEvents,
      events.map((value) => ({ value })),
    );
}

/** What pipelines/assemble (and so `arboretum export`) decides from the same events. */
export async function assembled(events: readonly TreeEvent[]): Promise<Assembled[]> {
  return lastValueFrom(from(events).pipe(assemble(), toArray()));
}

/**
 * Three small trees with known answers:
 *  - math (Math_PoT/MATH): turn 1 correct c1 (chain-of-thought) + wrong w1 (modular-programming), w1 critiqued;
 *    turn 2 correct c2 + wrong w2; closed solved. 2 turns, 2 pairs, 2 SFT rows.
 *  - code (Coding/TACO): turn 1 wrong k1 only, critiqued; turn 2 correct k2 + wrong k3 (syntax error, dropped);
 *    closed. 2 turns, 0 pairs (k3 invalid), 1 SFT row.
 *  - logic (Logic/ReClor): one turn, correct l1 and wrong l2; never closed. 1 turn, 1 pair, 1 SFT row.
 */
export function smallTrees() {
  const math = treeScript('math-1', { task: 'Math_PoT', dataset: 'MATH', text: 'Compute 2+2.' })
    .open()
    .action('c1', { correct: true, action: 'Step 1: 2+2=4', model: 'gpt-4' })
    .action('w1', {
      correct: false,
      action: 'Step 1: print(5)',
      code: 'print(5)',
      observation: '5',
      model: 'llama',
    })
    .critique('w1', 'The sum is wrong.')
    .action('c2', { parent: 'w1', turn: 2, correct: true, action: 'Step 2: 4', model: 'gpt-4' })
    .action('w2', { parent: 'w1', turn: 2, correct: false, action: 'Step 2: 3', model: 'llama' })
    .close('solved');
  // treeScript samples every action with chain-of-thought; give math's w1 another strategy.
  const w1 = math.events.find((e) => e.payload.kind === 'StrategySampled' && e.payload.nodeId === 'w1')!;
  (w1.payload as { strategy: string }).strategy = 'modular-programming';
  const code = treeScript('code-1', { task: 'Coding', dataset: 'TACO', text: 'Write f.' })
    .open()
    .action('k1', { correct: false, action: 'def f(): return 0', model: 'llama' })
    .critique('k1', 'Return 1.')
    .action('k2', { parent: 'k1', turn: 2, correct: true, action: 'def f(): return 1', model: 'gpt-4' })
    .action('k3', {
      parent: 'k1',
      turn: 2,
      correct: false,
      action: 'def f(:',
      syntaxOk: false,
      model: 'llama',
    })
    .close('solved');
  const logic = treeScript('logic-1', { task: 'Logic', dataset: 'ReClor', text: 'Which follows?' })
    .open()
    .action('l1', { correct: true, action: 'Answer: A', model: 'gpt-4' })
    .action('l2', { correct: false, action: 'Answer: B', model: 'llama' });
  return { math: math.events, code: code.events, logic: logic.events };
}
