/**
 * Errors with stable codes. Every error Sluice throws on purpose is a {@link SluiceError}; match on
 * `code`, never on the message text.
 */

/** Stable error codes of @sluice/core. Connectors add their own, prefixed (`KAFKA_...`). */
export const CoreErrorCodes = [
  'INVALID_OPTION',
  'INVALID_STATE',
  'INVALID_KEY',
  'INVALID_DURATION',
  'NO_OUTPUT_OPERATIONS',
  'CHECKPOINT_REQUIRED',
  'CHECKPOINT_MISMATCH',
  'CHECKPOINT_CORRUPT',
  'CHECKPOINT_FORMAT',
  'JOB_FAILED',
  'TASK_FAILED',
  'RECEIVER_ERROR',
  'BAD_RECORD',
  'EMPTY_COLLECTION',
  'WAL_CORRUPT',
  'STOPPED',
] as const;

export type CoreErrorCode = (typeof CoreErrorCodes)[number];

export interface SluiceErrorOptions {
  cause?: unknown;
  /** True when trying the same thing again may succeed (a network blip), false for bad input. */
  retriable?: boolean;
}

/** The base of every error Sluice raises on purpose. */
export class SluiceError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: CoreErrorCode | (string & {}), message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SluiceError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** Turns anything thrown into an Error (keeps Errors as they are). */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
