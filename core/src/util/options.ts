/**
 * Option validation shared by core and the connectors, so every bad option fails the same way:
 * a SluiceError `INVALID_OPTION` whose message names where, the option, what it accepts and what
 * it got.
 */
import { SluiceError } from '../errors.js';

function show(got: unknown): string {
  if (typeof got === 'function') return 'a function';
  try {
    if (typeof got === 'string') return JSON.stringify(got);
    if (typeof got === 'object' && got !== null) return JSON.stringify(got).slice(0, 80);
  } catch {
    // fall through: cyclic or otherwise unprintable
  }
  return String(got);
}

/** `<where>: option <option> must be <accepted>, got <value>` as an INVALID_OPTION error. */
export function optionError(where: string, option: string, accepted: string, got: unknown): SluiceError {
  return new SluiceError('INVALID_OPTION', `${where}: option ${option} must be ${accepted}, got ${show(got)}`);
}

/** @throws SluiceError INVALID_OPTION listing the keys of `opts` that are not in `known`, and the accepted ones. */
export function rejectUnknownOptions(where: string, opts: object, known: readonly string[]): void {
  const unknown = Object.keys(opts).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new SluiceError('INVALID_OPTION', `${where}: unknown option(s) ${unknown.join(', ')}; accepted: ${known.join(', ')}`);
  }
}

/** `value` when it is a whole number in `[min, max]`, `dflt` when undefined. @throws SluiceError INVALID_OPTION otherwise. */
export function wholeNumberOption(where: string, option: string, value: unknown, min: number, max: number, dflt: number): number {
  if (value === undefined) return dflt;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw optionError(where, option, `a whole number from ${min} to ${max}`, value);
  }
  return value;
}
