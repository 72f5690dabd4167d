import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ArboretumError } from '../schemas/errors.ts';

export const DEFAULT_LOG = 'file:.arboretum/log';

/** parseArgs with strict checking; unknown flags become an INVALID_INPUT error naming the flag. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: O,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals, strict: true });
  } catch (e) {
    throw new ArboretumError('INVALID_INPUT', (e as Error).message);
  }
}

/** True when argv asks for help. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** A whole non-negative integer flag value, or a clear error naming the flag. */
export function intFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new ArboretumError(
      'INVALID_INPUT',
      `--${name} takes a whole number >= 0, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** The flags of the sandbox's isolation switch: `--unsafe-sandbox`, and `--unsafe`, its deprecated old name. */
export const UNSAFE_SANDBOX_FLAGS = {
  'unsafe-sandbox': { type: 'boolean', default: false },
  unsafe: { type: 'boolean', default: false },
} as const;

/** True when the sandbox should run without isolation; `--unsafe` still works, with a warning naming the new flag. */
export function unsafeSandbox(
  command: string,
  values: { 'unsafe-sandbox'?: boolean; unsafe?: boolean },
): boolean {
  if (values.unsafe) {
    process.stderr.write(
      `arboretum ${command}: --unsafe is deprecated, use --unsafe-sandbox (same meaning)\n`,
    );
  }
  return Boolean(values['unsafe-sandbox'] || values.unsafe);
}
