import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where scripts/setup.d/50-local-model.sh puts SmolLM2-135M-Instruct (Q4_1 GGUF, 98 MB): the user cache. */
export function smolLm2Path(): string {
  return join(homedir(), '.cache', 'arboretum', 'models', 'SmolLM2-135M-Instruct.Q4_1.gguf');
}
