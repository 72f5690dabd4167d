#!/usr/bin/env -S node --max-semi-space-size=64
// --max-semi-space-size=64 (MiB): a young generation four times Node 20's default. grow allocates a few hundred KB
// per LLM call (HTTP, JSON, events); with the default, scavenges took ~15% of its CPU. Measured with bench/grow.ts
// at 256 calls in flight: 0.85-0.88 -> 0.72 ms of CPU per call, for ~40 MiB more resident memory. (Flags cannot be
// set after V8 starts, hence the shebang; `node bin/arboretum.js` runs without it, only slower.)
// The package bin: loads the TypeScript CLI through tsx, so the checkout runs without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
