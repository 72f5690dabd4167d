#!/usr/bin/env node
// The package bin: loads the TypeScript CLI through tsx, so the checkout runs without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
