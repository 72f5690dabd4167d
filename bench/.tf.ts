import { textFeaturesOf } from '../pipelines/features/textFeaturesOf.ts';
import { syntheticTreeEvents } from '../pipelines/synthetic/syntheticTrees.ts';
const texts: string[] = [];
for (const e of syntheticTreeEvents({ trees: 6000, seed: 42, actionBytes: [100, 400] })) if (e.payload.kind === 'TurnExecuted') texts.push(e.payload.action);
for (let r = 0; r < 3; r++) { const c0 = process.cpuUsage(); let s = 0;
for (const t of texts) s += textFeaturesOf(t).shingles.length;
const c = process.cpuUsage(c0);
console.log(texts.length, 'texts', ((c.user + c.system) / 1e6).toFixed(3), 'CPU s', s / texts.length, 'shingles avg'); }
