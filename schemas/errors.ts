/** Error codes of arboretum's single error hierarchy. New codes are appended (their family goes in FAMILY below). */
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
  | 'TIMEOUT'
  /** A Kafka broker answered with a protocol error code (context.kafkaError names it). */
  | 'KAFKA_REFUSED';

/**
 * The family of an error code: what part of the system failed, so a reader (or a retry policy) can tell bad input
 * from a broken log, a failing endpoint, a missing sandbox or a refusing broker without listing codes.
 */
export type ErrorFamily = 'input' | 'config' | 'log' | 'kafka' | 'llm' | 'sandbox' | 'run';

const FAMILY: Readonly<Record<ErrorCode, ErrorFamily>> = {
  INVALID_INPUT: 'input',
  DECODE_FAILED: 'input',
  UNKNOWN_SCHEMA: 'input',
  NOT_FOUND: 'input',
  INVALID_CONFIG: 'config',
  UNSUPPORTED: 'config',
  LOG_LOCKED: 'log',
  LOG_CORRUPT: 'log',
  LOG_UNAVAILABLE: 'log',
  KAFKA_REFUSED: 'kafka',
  LLM_FAILED: 'llm',
  BUDGET_EXHAUSTED: 'llm',
  SANDBOX_UNAVAILABLE: 'sandbox',
  SANDBOX_FAILED: 'sandbox',
  TIMEOUT: 'run',
};

/** The family of `code`. */
export function errorFamilyOf(code: ErrorCode): ErrorFamily {
  return FAMILY[code];
}

/**
 * Where an error happened: whichever of these the raiser knows. The named fields are printed first, in this order, by
 * the CLI (cli/errorText.ts); any other key follows.
 */
export interface ErrorContext {
  readonly treeId?: string;
  readonly nodeId?: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number;
  readonly file?: string;
  /** 1-based line of `file`. */
  readonly line?: number;
  /** 0-based byte offset into `file`. */
  readonly byteOffset?: number;
  /** The LLM endpoint's name and the model asked. */
  readonly endpoint?: string;
  readonly model?: string;
  /** A Kafka protocol error by name (`NOT_LEADER_FOR_PARTITION`) and number. */
  readonly kafkaError?: string;
  readonly kafkaCode?: number;
  readonly [key: string]: unknown;
}

/** The one error type of arboretum: a code (of a family), a retriable flag that retry code reads, and context fields. */
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

  /** input, config, log, kafka, llm, sandbox or run. */
  get family(): ErrorFamily {
    return FAMILY[this.code];
  }
}

/** True when `e` is an ArboretumError, optionally of the given code. */
export function isArboretumError(e: unknown, code?: ErrorCode): e is ArboretumError {
  return e instanceof ArboretumError && (code === undefined || e.code === code);
}

/**
 * `e` with more context: the same code, message, retriable flag and cause, and `context` under the fields it already
 * had (the raiser's own win). A caller that knows where (the tree and node of a failed LLM call) adds it this way.
 * Anything that is not an ArboretumError comes back unchanged.
 */
export function withContext<E>(e: E, context: ErrorContext): E {
  if (!(e instanceof ArboretumError)) return e;
  const out = new ArboretumError(e.code, e.message, {
    retriable: e.retriable,
    context: { ...context, ...e.context },
    cause: e.cause,
  });
  out.stack = e.stack;
  return out as E;
}

/** True when `e` is an ArboretumError of the given family. */
export function isErrorOfFamily(e: unknown, family: ErrorFamily): e is ArboretumError {
  return e instanceof ArboretumError && e.family === family;
}

/**
 * True when retrying the failed operation may succeed: an ArboretumError marked retriable, or a library error that
 * carries its own `retriable: true` (kafkajs marks its errors so). Retry code asks this and nothing else.
 */
export function isRetriable(e: unknown): boolean {
  if (isArboretumError(e)) return e.retriable;
  return (e as { retriable?: unknown } | null)?.retriable === true;
}

/** A readable message for any thrown value. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
