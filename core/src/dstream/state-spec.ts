/**
 * mapWithState's specification and state handle, named as Spark's StateSpec and State.
 */
import type { RDD } from '../rdd/rdd.js';
import { SluiceError } from '../errors.js';
import { toDuration, type Duration, type DurationLike, type Time } from '../time.js';

/** The state of one key inside a mapWithState function. */
export class State<S> {
  private value: S | undefined;
  private defined = false;
  private removed = false;
  private updated = false;
  private timingOut = false;

  /** @internal Resets the handle for the next key (one handle is reused per partition). */
  wrap(defined: boolean, value: S | undefined, timingOut: boolean): void {
    this.defined = defined;
    this.value = value;
    this.removed = false;
    this.updated = false;
    this.timingOut = timingOut;
  }

  exists(): boolean {
    return this.defined;
  }

  /** The state. @throws SluiceError INVALID_STATE when the key has no state. */
  get(): S {
    if (!this.defined) throw new SluiceError('INVALID_STATE', 'State.get(): the key has no state (check exists() first)');
    return this.value as S;
  }

  /** The state, or undefined when there is none. */
  getOption(): S | undefined {
    return this.defined ? this.value : undefined;
  }

  /** Sets the state. @throws SluiceError INVALID_STATE when the key is timing out or was removed. */
  update(s: S): void {
    if (this.removed) throw new SluiceError('INVALID_STATE', 'State.update(): the state was already removed in this call');
    if (this.timingOut) throw new SluiceError('INVALID_STATE', 'State.update(): cannot update the state of a key that is timing out');
    this.value = s;
    this.defined = true;
    this.updated = true;
  }

  /** Removes the key's state. @throws SluiceError INVALID_STATE when the key is timing out (it is removed anyway). */
  remove(): void {
    if (this.timingOut) throw new SluiceError('INVALID_STATE', 'State.remove(): a key that is timing out is removed anyway');
    if (this.removed) throw new SluiceError('INVALID_STATE', 'State.remove(): the state was already removed');
    this.removed = true;
    this.defined = false;
    this.value = undefined;
  }

  /** True during the last call for a key whose state timed out (the value is undefined then). */
  isTimingOut(): boolean {
    return this.timingOut;
  }

  /** @internal */
  get wasUpdated(): boolean {
    return this.updated;
  }

  /** @internal */
  get wasRemoved(): boolean {
    return this.removed;
  }
}

export type MappingFunction<K, V, S, E> = (key: K, value: V | undefined, state: State<S>, time: Time) => E;

/** What mapWithState does: built with `StateSpec.function(fn)` and optional settings. */
export class StateSpec<K, V, S, E> {
  /** @internal */ timeoutMs: Duration | undefined;
  /** @internal */ initial: RDD<[K, S]> | Iterable<[K, S]> | undefined;
  /** @internal */ partitions: number | undefined;

  private constructor(/** @internal */ readonly fn: MappingFunction<K, V, S, E>) {}

  /** The mapping function, called for every record of a batch and once more for each key that times out. */
  static function<K, V, S, E>(fn: MappingFunction<K, V, S, E>): StateSpec<K, V, S, E> {
    if (typeof fn !== 'function') throw new SluiceError('INVALID_OPTION', 'StateSpec.function(fn): fn must be a function');
    return new StateSpec(fn);
  }

  /** Keys without new data for `idle` are called once more with `isTimingOut()` true, then removed. */
  timeout(idle: DurationLike): this {
    this.timeoutMs = toDuration(idle, 'StateSpec.timeout');
    return this;
  }

  /** State to start from. */
  initialState(initial: RDD<[K, S]> | Iterable<[K, S]>): this {
    this.initial = initial;
    return this;
  }

  numPartitions(n: number): this {
    if (!Number.isInteger(n) || n < 1) throw new SluiceError('INVALID_OPTION', `StateSpec.numPartitions must be a whole number >= 1, got ${String(n)}`);
    this.partitions = n;
    return this;
  }
}
