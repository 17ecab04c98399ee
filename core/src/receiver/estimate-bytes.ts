/**
 * Cheap size estimates of received records, used to bound the memory a receiver may hold
 * (`bufferBytes`). They run once per stored record, so they look one level deep at most and never
 * serialize: an estimate, not a measurement.
 */

/** Fixed cost charged for any object (header, hidden class, a few fields). */
const OBJECT_BYTES = 64;
/** Cost of a field or element that is not a string or binary (a number, a pointer). */
const SLOT_BYTES = 8;
/** A string's header in V8 (map, hash, length). */
const STRING_HEADER_BYTES = 16;

/** The estimated size of one field or element, without descending further. */
function shallowBytes(v: unknown): number {
  // V8 keeps Latin-1 strings at one byte per character (most text that streams carry), plus a header.
  if (typeof v === 'string') return v.length + STRING_HEADER_BYTES;
  if (v instanceof Uint8Array) return v.byteLength;
  if (v instanceof ArrayBuffer) return v.byteLength;
  return SLOT_BYTES;
}

/**
 * Estimates the in-memory size of one record: strings `length + 16`, Buffers, typed arrays and
 * ArrayBuffers their `byteLength`, primitives 8 bytes, arrays and objects a fixed 64 bytes plus
 * the shallow size of each element or own enumerable field (strings and binaries counted in full,
 * anything else 8 bytes). Never throws.
 */
export function estimateBytes(v: unknown): number {
  if (typeof v !== 'object' || v === null) return shallowBytes(v);
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (v instanceof ArrayBuffer) return v.byteLength;
  let total = OBJECT_BYTES;
  if (Array.isArray(v)) {
    for (const e of v) total += shallowBytes(e);
    return total;
  }
  for (const key in v) {
    if (Object.hasOwn(v, key)) total += shallowBytes((v as Record<string, unknown>)[key]);
  }
  return total;
}

/** The sum of {@link estimateBytes} over `items`. */
export function estimateBatchBytes(items: readonly unknown[]): number {
  let total = 0;
  for (const item of items) total += estimateBytes(item);
  return total;
}
