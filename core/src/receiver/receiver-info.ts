/**
 * What the supervisor tells the engine about a receiver, with Spark's `ReceiverInfo` fields, and
 * the events it reports them through (they become the listener bus's receiverStarted,
 * receiverError and receiverStopped).
 */
import type { BadRecordInfo } from '../scheduler/listener.js';

export interface ReceiverInfo {
  streamId: number;
  /** The receiver's `name` option, else `<ClassName>-<streamId>` (Spark's naming). */
  name: string;
  /** True between a successful `onStart` and the following `onStop`. */
  active: boolean;
  /** Where the receiver runs; always `'local'` (one process is one executor). */
  location: string;
  /** Always `'driver'`. */
  executorId: string;
  /** The message of the last error reported, restart or stop with an error; `''` if none. */
  lastErrorMessage: string;
  /** The last error's stack (or its text); `''` if none. */
  lastError: string;
  /** Clock time of the last error; `-1` if none. */
  lastErrorTime: number;
}

/**
 * Callbacks the engine gives the supervisor. Each is called synchronously with a fresh snapshot;
 * whatever a callback throws is caught and logged, never propagated.
 */
export interface ReceiverEvents {
  /** After `onStart` returned (or resolved) without error: at first start and after each restart. */
  started(info: ReceiverInfo): void;
  /**
   * On `reportError`, when `onStart` fails, on `restart`/`stop` with an error, and when an
   * unreliable block could not be stored (its records are lost).
   */
  error(info: ReceiverInfo): void;
  /** After `onStop`, for a receiver that had been reported started (also before each restart). */
  stopped(info: ReceiverInfo): void;
  /** When the receiver reports a record it skipped as unreadable (`reportBadRecord`). */
  badRecord?(info: BadRecordInfo): void;
}

/** The log sink of a supervisor. */
export interface ReceiverLogger {
  warn(message: string): void;
  info?(message: string): void;
}
