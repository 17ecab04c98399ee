/**
 * `sluice check-checkpoint` runs an application in check mode: getOrCreate reports whether the
 * application's graph can restore from the checkpoint, then stops the application before it
 * starts anything.
 */
import type { StreamingContext } from '../context.js';
import type { CheckpointData } from './checkpoint-file.js';

export interface CheckModeHook {
  report(ssc: StreamingContext, checkpoint: CheckpointData | undefined, dir: string): never;
}

const KEY = Symbol.for('sluice.checkCheckpoint');

/** The hook the CLI installed, if the process runs in check mode. */
export function checkModeHook(): CheckModeHook | undefined {
  return (globalThis as Record<symbol, CheckModeHook | undefined>)[KEY];
}

export function installCheckModeHook(hook: CheckModeHook): void {
  (globalThis as Record<symbol, CheckModeHook | undefined>)[KEY] = hook;
}
