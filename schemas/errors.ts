/** Error codes of arboretum's single error hierarchy. */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_CONFIG'
  | 'DECODE_FAILED'
  | 'UNKNOWN_SCHEMA'
  | 'LOG_LOCKED'
  | 'LOG_CORRUPT'
  | 'LOG_UNAVAILABLE'
  | 'NOT_FOUND'
  | 'UNSUPPORTED'
  | 'SANDBOX_UNAVAILABLE'
  | 'SANDBOX_FAILED'
  | 'LLM_FAILED'
  | 'BUDGET_EXHAUSTED'
  | 'TIMEOUT';

/** Where an error happened: whichever of these the raiser knows. */
export interface ErrorContext {
  readonly treeId?: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number;
  readonly file?: string;
  readonly line?: number;
  readonly [key: string]: unknown;
}

/** The one error type of arboretum: a code, a retriable flag that retry code reads, and context fields. */
export class ArboretumError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly context: ErrorContext;

  constructor(
    code: ErrorCode,
    message: string,
    {
      retriable = false,
      context = {},
      cause,
    }: { retriable?: boolean; context?: ErrorContext; cause?: unknown } = {},
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ArboretumError';
    this.code = code;
    this.retriable = retriable;
    this.context = context;
  }
}

/** True when `e` is an ArboretumError, optionally of the given code. */
export function isArboretumError(e: unknown, code?: ErrorCode): e is ArboretumError {
  return e instanceof ArboretumError && (code === undefined || e.code === code);
}

/** True when retrying the failed operation may succeed. */
export function isRetriable(e: unknown): boolean {
  return isArboretumError(e) && e.retriable;
}

/** A readable message for any thrown value. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
