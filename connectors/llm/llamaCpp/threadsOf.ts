import { availableParallelism } from 'node:os';
import { ArboretumError } from '../../../schemas/errors.ts';

/**
 * CPU threads for in-process generation: `explicit`, else $ARBORETUM_LLAMA_THREADS, else half the cores this process
 * may use (at least 1). Why not llama.cpp's default: it takes every core, and on a shared 2-core machine that
 * oversubscribes the CPU (measured: a 25-token answer took 80 s with the default, 0.8 s with 2 threads, and 1 thread
 * was 3x faster than 2 while the machine was loaded); half leaves room for the sandbox, the log and the grower.
 */
export function threadsOf(
  explicit?: number,
  env: NodeJS.ProcessEnv = process.env,
  cores: number = availableParallelism(),
): number {
  const fromEnv = env.ARBORETUM_LLAMA_THREADS;
  const value = explicit ?? (fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : undefined);
  if (value === undefined) return Math.max(1, Math.floor(cores / 2));
  if (!Number.isInteger(value) || value < 1) {
    const where = explicit !== undefined ? 'threads' : '$ARBORETUM_LLAMA_THREADS';
    throw new ArboretumError(
      'INVALID_CONFIG',
      `llama.cpp: ${where} must be a whole number >= 1, got ${JSON.stringify(explicit ?? fromEnv)}`,
    );
  }
  return value;
}
