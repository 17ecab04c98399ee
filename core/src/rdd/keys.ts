/**
 * Keys of pair operations. JavaScript Maps compare objects by identity, so Sluice groups keys by
 * value through one canonical encoding: a key is a primitive (string, number, bigint, boolean,
 * null, undefined) or an array of keys. Two arrays with equal elements are the same key. Any
 * other object as a key is rejected (grouping it by identity would silently split groups).
 */
import { SluiceError } from '../errors.js';

export type Primitive = string | number | bigint | boolean | null | undefined;
/** What a pair operation accepts as a key. */
export type Key = Primitive | readonly Key[];

function encodeInto(key: unknown, out: string[]): void {
  switch (typeof key) {
    case 'string':
      out.push('s', String(key.length), ':', key);
      return;
    case 'number':
      out.push('n', Object.is(key, -0) ? '0' : String(key), ';');
      return;
    case 'bigint':
      out.push('b', String(key), ';');
      return;
    case 'boolean':
      out.push(key ? 'T' : 'F');
      return;
    case 'undefined':
      out.push('U');
      return;
    case 'object':
      if (key === null) {
        out.push('N');
        return;
      }
      if (Array.isArray(key)) {
        out.push('[');
        for (const k of key) encodeInto(k, out);
        out.push(']');
        return;
      }
  }
  throw invalidKey(key);
}

function invalidKey(key: unknown): SluiceError {
  const shown = (() => {
    try {
      return JSON.stringify(key)?.slice(0, 80) ?? String(key);
    } catch {
      return String(key);
    }
  })();
  return new SluiceError(
    'INVALID_KEY',
    `Keys must be primitives (string, number, bigint, boolean, null, undefined) or arrays of them; got ${typeof key} ${shown}. Use e.g. [a, b] or JSON.stringify(obj) as the key.`,
  );
}

/** The canonical string of an array key (equal arrays give equal strings). */
export function encodeCompositeKey(key: readonly unknown[]): string {
  const out: string[] = [];
  encodeInto(key, out);
  return out.join('');
}

/** Stands for one composite key inside a KeyMap: equal arrays share one token. */
interface CompositeToken<K> {
  readonly key: K;
}

/**
 * A Map keyed by value: primitives as themselves, arrays through one interned token per canonical
 * encoding, so both kinds share one Map and keep insertion order. Iteration yields the first key
 * instance seen for each group.
 */
export class KeyMap<K, V> {
  private readonly map = new Map<unknown, V>();
  private tokens: Map<string, CompositeToken<K>> | undefined;

  get size(): number {
    return this.map.size;
  }

  /** The map key for `key`: itself for primitives, its token for arrays (created when `create`). */
  private slot(key: K, create: boolean): unknown {
    if (typeof key !== 'object' || key === null) {
      // Functions and symbols would be grouped by identity, as objects would.
      if (typeof key === 'function' || typeof key === 'symbol') throw invalidKey(key);
      return key;
    }
    if (!Array.isArray(key)) throw invalidKey(key);
    const enc = encodeCompositeKey(key);
    this.tokens ??= new Map();
    let token = this.tokens.get(enc);
    if (token === undefined && create) {
      token = { key };
      this.tokens.set(enc, token);
    }
    return token;
  }

  get(key: K): V | undefined {
    const s = this.slot(key, false);
    return s === undefined && typeof key === 'object' ? undefined : this.map.get(s);
  }

  has(key: K): boolean {
    const s = this.slot(key, false);
    return s === undefined && typeof key === 'object' ? false : this.map.has(s);
  }

  set(key: K, value: V): void {
    this.map.set(this.slot(key, true), value);
  }

  /**
   * Folds `value` into the entry of `key`: `merge(current, value)` when the key is present, else
   * `create(value)`. One lookup of the key instead of get + set (the hot path of every shuffle).
   */
  combine<W>(key: K, value: W, create: (w: W) => V, merge: (current: V, w: W) => V): void {
    const s = this.slot(key, true);
    const m = this.map;
    const current = m.get(s);
    if (current !== undefined || m.has(s)) m.set(s, merge(current as V, value));
    else m.set(s, create(value));
  }

  delete(key: K): boolean {
    const s = this.slot(key, false);
    if (s === undefined && typeof key === 'object') return false;
    if (typeof key === 'object' && key !== null) this.tokens!.delete(encodeCompositeKey(key as readonly unknown[]));
    return this.map.delete(s);
  }

  *entries(): IterableIterator<[K, V]> {
    if (this.tokens === undefined) {
      yield* this.map as Map<K, V>;
      return;
    }
    for (const [s, v] of this.map) yield [this.keyOf(s), v];
  }

  private keyOf(s: unknown): K {
    return typeof s === 'object' && s !== null ? (s as CompositeToken<K>).key : (s as K);
  }

  /** Appends every entry to `out` (faster than iterating `entries()`). */
  appendEntriesTo(out: Array<[K, V]>): void {
    if (this.tokens === undefined) {
      for (const e of this.map) out.push(e as [K, V]);
      return;
    }
    for (const [s, v] of this.map) out.push([this.keyOf(s), v]);
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
}

function stringHash(s: string): number {
  // Java's String.hashCode: what Spark users expect of HashPartitioner placement for strings.
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** A deterministic 32-bit hash of a key by value (stable across processes and restarts). */
export function hashKey(key: unknown): number {
  switch (typeof key) {
    case 'string':
      return stringHash(key);
    case 'number':
      return Number.isInteger(key) && key >= -2147483648 && key <= 2147483647 ? key | 0 : stringHash(String(key));
    case 'boolean':
      return key ? 1231 : 1237;
    case 'bigint':
      return stringHash(key.toString());
    case 'undefined':
      return 0;
    case 'object':
      if (key === null) return 0;
      if (Array.isArray(key)) return stringHash(encodeCompositeKey(key));
  }
  throw invalidKey(key);
}
