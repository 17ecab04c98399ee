/**
 * DStream: a node of the streaming graph that yields one RDD per batch (every `slideDuration`).
 * Computing is lazy and memoised per batch time; nothing is computed unless an output operation
 * (print, foreachRDD, saveAsTextFiles) reaches the stream. Generated RDDs are remembered for as
 * long as any window downstream reads them, then dropped.
 *
 * Pair operations take a `this: DStream<[K, V]>` parameter, so they exist only on streams of
 * `[key, value]` tuples. Keys follow {@link Key}: primitives or arrays of primitives, grouped by value.
 */
import type { StreamingContext } from '../context.js';
import type { DStreamPlan } from './plan.js';
import { RDD } from '../rdd/rdd.js';
import { HashPartitioner, type Partitioner } from '../rdd/partitioner.js';
import { SluiceError } from '../errors.js';
import { formatDuration, isMultipleOf, toDuration, type Duration, type DurationLike, type Time } from '../time.js';
import { multiTransformedPlan, transformedPlan } from './transformed.js';
import { windowedPlan } from './windowed.js';
import { reducedWindowedPlan } from './reduced-windowed.js';
import { statePlan, type UpdateStateFunction } from './state.js';
import { mapWithStatePlan, type MapWithStateRecord } from './map-with-state.js';
import type { StateSpec } from './state-spec.js';
import type { StateChange } from '../checkpoint/state-changes.js';
import { printOutput } from './output/print.js';
import { saveAsTextFilesOutput } from './output/save-as-text-files.js';

export interface UpdateStateOptions<K, S> {
  numPartitions?: number;
  /** State to start from (used at the first batch). */
  initialState?: RDD<[K, S]> | Iterable<[K, S]>;
}

export class DStream<T> {
  /** Position in the graph (creation order); the default operator id. */
  readonly id: number;
  private operatorName: string | undefined;
  /** RDDs generated so far, by batch time. */
  protected readonly generated = new Map<Time, RDD<T>>();
  /** @internal How long generated RDDs are kept (set when the context starts). */
  rememberDuration: Duration = 0;
  /**
   * @internal How far back batches still to be computed read this stream's RDDs (windows), without
   * what only a recovery needs: a receiver's blocks stay in memory this long (the write-ahead log
   * keeps them for {@link rememberDuration}).
   */
  readBackDuration: Duration = 0;
  /** @internal Interval of state snapshots for stateful streams. */
  checkpointDuration: Duration | undefined;
  /** @internal Number of streams and outputs reading this one (set when the context starts). */
  consumers = 0;
  /**
   * @internal For stateful streams: batch times at or before this have no state (a recovery
   * restored the state of this time, or the stream starts empty here), so computing never reaches
   * further back. Undefined: the zero time.
   */
  stateOrigin: Time | undefined;
  /** What each computed state partition changed, by batch time, until the state log takes it. */
  private readonly stateChanges = new Map<Time, Array<StateChange | undefined>>();
  private cacheRDDs = false;
  /** Set by {@link cacheComputedWithin}: how far back this stream's parents are read. */
  private parentReadBackLimit: Duration | undefined;

  /**
   * Streams are made by StreamingContext factories and by operations on other streams; custom
   * input streams subclass {@link InputDStream} instead.
   */
  constructor(
    readonly ssc: StreamingContext,
    private readonly plan?: DStreamPlan<T>,
  ) {
    this.id = ssc.graph.register(this as DStream<unknown>);
  }

  // ---------------------------------------------------------------- graph structure

  /** Time between two RDDs of this stream. */
  get slideDuration(): Duration {
    return this.plan!.slideDuration;
  }

  get dependencies(): readonly DStream<unknown>[] {
    return this.plan!.parents;
  }

  /** What kind of stream this is ("map", "window", "updateStateByKey", ...). */
  get kind(): string {
    return this.plan!.kind;
  }

  /** @internal */
  get mustCheckpoint(): boolean {
    return this.plan?.mustCheckpoint ?? false;
  }

  /** @internal Extra time the parents keep RDDs for this stream (a window's length). */
  get parentRememberExtra(): Duration {
    return this.plan?.parentRememberExtra ?? 0;
  }

  /** The operator id used by checkpoints: the name given with {@link name}, else the graph position. */
  get operatorId(): string {
    return this.operatorName ?? `#${this.id}`;
  }

  /**
   * Gives the stream a stable operator id. Checkpoints match state to operators by id, so a named
   * stateful stream keeps its state when code around it changes.
   * @throws SluiceError INVALID_OPTION when the name is empty or already used in this context.
   */
  name(id: string): this {
    if (typeof id !== 'string' || id.length === 0) throw new SluiceError('INVALID_OPTION', 'name(id): id must be a non-empty string');
    this.ssc.graph.claimName(id, this as DStream<unknown>);
    this.operatorName = id;
    return this;
  }

  /** Keeps each generated RDD in memory so several outputs or windows reuse it. */
  cache(): this {
    this.cacheRDDs = true;
    return this;
  }

  persist(): this {
    return this.cache();
  }

  /**
   * @internal Caches this stream's RDDs, whose first computation always comes within `d` of their
   * batch time (a window computes the entering batches at its next slide): the parents' data is
   * then read back only `d`, whatever reads this stream's cached RDDs later.
   */
  cacheComputedWithin(d: Duration): this {
    this.parentReadBackLimit = d;
    return this.cache();
  }

  /**
   * Sets how often a stateful stream snapshots its state (a multiple of the slide).
   * @throws SluiceError INVALID_DURATION when it is not a multiple of the slide duration.
   */
  checkpoint(interval: DurationLike): this {
    const d = toDuration(interval, 'checkpoint interval');
    this.requireMultiple(d, 'checkpoint interval', this.slideDuration, 'slide duration');
    this.checkpointDuration = d;
    return this;
  }

  // ---------------------------------------------------------------- computing

  /** @internal The RDD for a valid batch time (override in input streams). */
  compute(time: Time): RDD<T> | undefined {
    return this.plan!.compute(time, this);
  }

  /** @internal True when `time` is a batch time of this stream after the zero time. */
  isTimeValid(time: Time): boolean {
    const zero = this.ssc.graph.zeroTime;
    return zero !== undefined && time > (this.stateOrigin ?? zero) && (time - zero) % this.slideDuration === 0;
  }

  /** @internal The memoised RDD of batch `time`, computing it on first use. */
  getOrCompute(time: Time): RDD<T> | undefined {
    const hit = this.generated.get(time);
    if (hit !== undefined) return hit;
    if (!this.isTimeValid(time)) return undefined;
    const rdd = this.compute(time);
    if (rdd !== undefined) {
      if (this.plan?.materialize) rdd.localCheckpoint();
      else if (this.cacheRDDs || this.consumers > 1) rdd.cache();
      this.generated.set(time, rdd);
    }
    return rdd;
  }

  /**
   * @internal Keeps RDDs for at least `d`, and makes the parents keep theirs long enough for this
   * stream. A stateful stream's state is logged with every completed batch, so a recovery never
   * recomputes it from older input (Spark instead keeps 2 x checkpointDuration of input).
   */
  remember(d: Duration, readBack: Duration = d): void {
    const want = Math.max(d, this.slideDuration, this.rememberDuration);
    const wantRead = Math.max(readBack, this.slideDuration, this.readBackDuration);
    if (want === this.rememberDuration && wantRead === this.readBackDuration && want !== 0) return;
    this.rememberDuration = want;
    this.readBackDuration = wantRead;
    const parentRead = Math.min(this.parentReadBackLimit ?? Infinity, wantRead + this.parentRememberExtra);
    for (const p of this.dependencies) p.remember(want + this.parentRememberExtra, parentRead);
  }

  /** @internal The default snapshot interval: the smallest multiple of the slide that is >= 10 s. */
  defaultCheckpointDuration(): Duration {
    return this.slideDuration * Math.max(1, Math.ceil(10_000 / this.slideDuration));
  }

  /** @internal True when a snapshot of this (stateful) stream is due at batch `time`. */
  snapshotDue(time: Time): boolean {
    const zero = this.ssc.graph.zeroTime;
    return this.mustCheckpoint && zero !== undefined && this.checkpointDuration !== undefined && (time - zero) % this.checkpointDuration === 0;
  }

  /**
   * @internal The state of batch `time` as every partition's encoded entries, computing it if it
   * was not yet; undefined when the stream has no RDD at `time`.
   */
  async snapshotAt(time: Time): Promise<unknown[] | undefined> {
    const rdd = this.getOrCompute(time);
    if (rdd === undefined) return undefined;
    const codec = this.plan?.stateCodec;
    const partitions = await rdd.runJob((items) => (codec ? codec.encode(items) : items));
    this.stateChanges.delete(time);
    return partitions;
  }

  /**
   * @internal What batch `time` changed in every partition of the state, computing the state if it
   * was not yet; undefined when the stream has no RDD at `time` or a partition's change is not
   * known (the caller then logs the whole state).
   */
  async stateChangesAt(time: Time): Promise<StateChange[] | undefined> {
    const rdd = this.getOrCompute(time);
    if (rdd === undefined) return undefined;
    await rdd.runJob(() => undefined); // every partition computed (and so its change recorded)
    const changes = this.stateChanges.get(time);
    this.stateChanges.delete(time);
    if (changes === undefined || changes.length !== rdd.numPartitions) return undefined;
    for (let p = 0; p < changes.length; p++) if (changes[p] === undefined) return undefined;
    return changes as StateChange[];
  }

  /**
   * @internal Called by a stateful plan while it computes partition `p` of batch `time`: what it
   * changed (keys with a new value, keys removed), in the encoded form of the state's entries.
   */
  recordStateChange(time: Time, p: number, change: StateChange): void {
    let changes = this.stateChanges.get(time);
    if (changes === undefined) this.stateChanges.set(time, (changes = []));
    changes[p] = change;
  }

  /** @internal See {@link DStreamPlan.readsBack}. */
  get readsBack(): DStreamPlan<T>['readsBack'] {
    return this.plan?.readsBack;
  }

  /** @internal Puts a logged slice back as the RDD of batch `time` of the stream this one reads back. */
  restoreReadBack(time: Time, partitions: unknown[]): void {
    const target = this.plan?.readsBack?.stream;
    target?.restoreGenerated(time, RDD.fromPartitions(this.ssc.rddContext, partitions as unknown[][], `${target.kind} (restored)`, this.plan?.partitioner));
  }

  /** @internal True when every input under this stream can re-form any remembered batch after a restart. */
  get replayable(): boolean {
    return this.dependencies.every((d) => d.replayable);
  }

  /** @internal Puts a recovered state back as the RDD of batch `time`; nothing earlier is computed again. */
  restoreSnapshot(time: Time, partitions: unknown[], format1 = false): void {
    const codec = this.plan?.stateCodec;
    const decode = (format1 ? codec?.decodeFormat1 : undefined) ?? codec?.decode;
    const data = partitions.map((p) => (decode ? decode(p) : (p as T[])));
    const rdd = RDD.fromPartitions(this.ssc.rddContext, data, `${this.kind} (restored)`, this.plan?.partitioner);
    this.generated.set(time, rdd);
    this.stateOrigin = time;
  }

  /** @internal Drops RDDs older than the remember duration, here and upstream. */
  clearMetadata(time: Time): void {
    const limit = time - this.rememberDuration;
    for (const t of this.generated.keys()) if (t <= limit) this.generated.delete(t);
    for (const t of this.stateChanges.keys()) if (t <= limit) this.stateChanges.delete(t);
    for (const p of this.dependencies) p.clearMetadata(time);
  }

  /** @internal Times of the RDDs currently remembered. */
  generatedTimes(): Time[] {
    return [...this.generated.keys()].sort((a, b) => a - b);
  }

  /** @internal Puts a recovered RDD in place (checkpoint recovery). */
  restoreGenerated(time: Time, rdd: RDD<T>): void {
    this.generated.set(time, rdd);
  }

  /**
   * The RDDs of every batch in `[from, to]` (both ends aligned down to this stream's batch times).
   * @throws SluiceError INVALID_STATE before the context has started.
   */
  slice(from: Time, to: Time): RDD<T>[] {
    const zero = this.ssc.graph.zeroTime;
    if (zero === undefined) throw new SluiceError('INVALID_STATE', 'slice() needs a started StreamingContext');
    const slide = this.slideDuration;
    const alignDown = (t: Time): Time => zero + Math.floor((t - zero) / slide) * slide;
    const out: RDD<T>[] = [];
    for (let t = alignDown(to); t >= alignDown(from) && t > zero; t -= slide) {
      const r = this.getOrCompute(t);
      if (r !== undefined) out.push(r);
    }
    return out.reverse();
  }

  private requireMultiple(d: Duration, what: string, of: Duration, ofWhat: string): void {
    if (!isMultipleOf(d, of)) {
      throw new SluiceError(
        'INVALID_DURATION',
        `The ${what} (${formatDuration(d)}) must be a multiple of the ${ofWhat} (${formatDuration(of)})`,
      );
    }
  }

  private windowDurations(window: DurationLike, slide: DurationLike | undefined): [Duration, Duration] {
    const w = toDuration(window, 'window duration');
    const s = slide === undefined ? this.slideDuration : toDuration(slide, 'slide duration');
    this.requireMultiple(w, 'window duration', this.slideDuration, "parent stream's slide duration");
    this.requireMultiple(s, 'slide duration', this.slideDuration, "parent stream's slide duration");
    return [w, s];
  }

  /** Checks a partition count at the call, so a bad one never reaches a batch. @throws SluiceError INVALID_OPTION. */
  private checkNumPartitions(n: number | undefined, what: string): void {
    if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
      throw new SluiceError('INVALID_OPTION', `${what}: numPartitions must be a whole number >= 1, got ${String(n)}`);
    }
  }

  private partitionerFor(n: number | Partitioner | undefined): Partitioner {
    if (typeof n === 'object') return n;
    return new HashPartitioner(n ?? this.ssc.rddContext.defaultNumPartitions);
  }

  private derive<U>(plan: DStreamPlan<U>): DStream<U> {
    return new DStream<U>(this.ssc, plan);
  }

  // ---------------------------------------------------------------- stateless transformations

  /** A stream whose RDD for each batch is `f(rdd, time)` of this stream's RDD. */
  transform<U>(f: (rdd: RDD<T>, time: Time) => RDD<U>, kind = 'transform'): DStream<U> {
    return this.derive(transformedPlan(kind, this, f));
  }

  /** Combines this stream's and `other`'s RDD of each batch (both must have the same slide). */
  transformWith<U, V>(other: DStream<U>, f: (a: RDD<T>, b: RDD<U>, time: Time) => RDD<V>): DStream<V> {
    return this.derive(
      multiTransformedPlan('transformWith', [this as DStream<unknown>, other as DStream<unknown>], (rdds, time) =>
        f(rdds[0] as RDD<T>, rdds[1] as RDD<U>, time),
      ),
    );
  }

  map<U>(f: (t: T) => U): DStream<U> {
    return this.transform((rdd) => rdd.map(f), 'map');
  }

  flatMap<U>(f: (t: T) => Iterable<U>): DStream<U> {
    return this.transform((rdd) => rdd.flatMap(f), 'flatMap');
  }

  filter(f: (t: T) => boolean): DStream<T> {
    return this.transform((rdd) => rdd.filter(f), 'filter');
  }

  mapPartitions<U>(f: (items: T[]) => Iterable<U>, preservesPartitioning = false): DStream<U> {
    return this.transform((rdd) => rdd.mapPartitions(f, preservesPartitioning), 'mapPartitions');
  }

  glom(): DStream<T[]> {
    return this.transform((rdd) => rdd.glom(), 'glom');
  }

  repartition(numPartitions: number): DStream<T> {
    this.checkNumPartitions(numPartitions, 'repartition');
    return this.transform((rdd) => rdd.repartition(numPartitions), 'repartition');
  }

  /** The elements of this stream and of `others` (all with the same slide) in each batch. */
  union(...others: DStream<T>[]): DStream<T> {
    return this.ssc.union(this, ...others);
  }

  /** One element per batch: the number of elements in it (0 for an empty batch). */
  count(): DStream<number> {
    // Partition sizes, plus a 0 so an empty batch counts 0 (as Spark's count does), summed in one partition.
    const sum = (ns: number[]): number[] => [ns.reduce((a, b) => a + b, 0)];
    return this.transform((rdd) => rdd.mapPartitions((items) => [items.length]).union(this.ssc.parallelize([0], 1)).coalesce(1).mapPartitions(sum), 'count');
  }

  /** One element per batch: all elements reduced with `f` (nothing for an empty batch). */
  reduce(f: (a: T, b: T) => T): DStream<T> {
    return this.transform((rdd) => rdd.mapPartitions((items) => (items.length ? [items.reduce(f)] : [])).coalesce(1).mapPartitions((xs) => (xs.length ? [xs.reduce(f)] : [])), 'reduce');
  }

  /** Per batch, each distinct element with its count. */
  countByValue(numPartitions?: number): DStream<[T, number]> {
    return this.map((t) => [t, 1] as [T, number]).reduceByKey((a, b) => a + b, numPartitions);
  }

  // ---------------------------------------------------------------- windows

  /**
   * Every element of the last `windowDuration`, every `slideDuration` (default: this stream's slide).
   * @throws SluiceError INVALID_DURATION when either is not a multiple of this stream's slide.
   */
  window(windowDuration: DurationLike, slideDuration?: DurationLike): DStream<T> {
    const [w, s] = this.windowDurations(windowDuration, slideDuration);
    return this.derive(windowedPlan(this, w, s));
  }

  /**
   * All elements of the window reduced to one. With `invReduce`, computed incrementally (needs a
   * checkpoint directory).
   */
  reduceByWindow(reduce: (a: T, b: T) => T, windowDuration: DurationLike, slideDuration?: DurationLike): DStream<T>;
  reduceByWindow(reduce: (a: T, b: T) => T, invReduce: (a: T, b: T) => T, windowDuration: DurationLike, slideDuration?: DurationLike): DStream<T>;
  reduceByWindow(
    reduce: (a: T, b: T) => T,
    a: ((a: T, b: T) => T) | DurationLike,
    b?: DurationLike,
    c?: DurationLike,
  ): DStream<T> {
    if (typeof a === 'function') {
      return this.map((t) => [0, t] as [number, T])
        .reduceByKeyAndWindow(reduce, a, b!, c, 1)
        .map((kv) => kv[1]);
    }
    const [w, s] = this.windowDurations(a, b);
    return this.reduce(reduce).window(w, s).reduce(reduce);
  }

  /** The number of elements in the window, computed incrementally (needs a checkpoint directory). */
  countByWindow(windowDuration: DurationLike, slideDuration?: DurationLike): DStream<number> {
    return this.map(() => 1).reduceByWindow(
      (x, y) => x + y,
      (x, y) => x - y,
      windowDuration,
      slideDuration,
    );
  }

  /** Each distinct element of the window with its count, computed incrementally (needs a checkpoint directory). */
  countByValueAndWindow(windowDuration: DurationLike, slideDuration?: DurationLike, numPartitions?: number): DStream<[T, number]> {
    return this.map((t) => [t, 1] as [T, number]).reduceByKeyAndWindow(
      (x, y) => x + y,
      (x, y) => x - y,
      windowDuration,
      slideDuration,
      numPartitions,
      (kv) => kv[1] !== 0,
    );
  }

  // ---------------------------------------------------------------- pair operations, per batch

  mapValues<K, V, U>(this: DStream<[K, V]>, f: (v: V) => U): DStream<[K, U]> {
    return this.transform((rdd) => rdd.mapValues(f), 'mapValues');
  }

  flatMapValues<K, V, U>(this: DStream<[K, V]>, f: (v: V) => Iterable<U>): DStream<[K, U]> {
    return this.transform((rdd) => rdd.flatMapValues(f), 'flatMapValues');
  }

  reduceByKey<K, V>(this: DStream<[K, V]>, f: (a: V, b: V) => V, numPartitions?: number | Partitioner): DStream<[K, V]> {
    const p = this.partitionerFor(numPartitions);
    return this.transform((rdd) => rdd.reduceByKey(f, p), 'reduceByKey');
  }

  groupByKey<K, V>(this: DStream<[K, V]>, numPartitions?: number | Partitioner): DStream<[K, V[]]> {
    const p = this.partitionerFor(numPartitions);
    return this.transform((rdd) => rdd.groupByKey(p), 'groupByKey');
  }

  combineByKey<K, V, C>(
    this: DStream<[K, V]>,
    createCombiner: (v: V) => C,
    mergeValue: (c: C, v: V) => C,
    mergeCombiners: (a: C, b: C) => C,
    numPartitions?: number | Partitioner,
  ): DStream<[K, C]> {
    const p = this.partitionerFor(numPartitions);
    return this.transform((rdd) => rdd.combineByKey(createCombiner, mergeValue, mergeCombiners, p), 'combineByKey');
  }

  private pairWith<K, V, W, R>(other: DStream<[K, W]>, kind: string, f: (a: RDD<[K, V]>, b: RDD<[K, W]>) => RDD<R>, numPartitions: number | undefined): DStream<R> {
    this.checkNumPartitions(numPartitions, kind);
    return this.derive(
      multiTransformedPlan(kind, [this as DStream<unknown>, other as DStream<unknown>], (rdds) =>
        f(rdds[0] as RDD<[K, V]>, rdds[1] as RDD<[K, W]>),
      ),
    );
  }

  join<K, V, W>(this: DStream<[K, V]>, other: DStream<[K, W]>, numPartitions?: number): DStream<[K, [V, W]]> {
    return this.pairWith<K, V, W, [K, [V, W]]>(other, 'join', (a, b) => a.join(b, numPartitions), numPartitions);
  }

  leftOuterJoin<K, V, W>(this: DStream<[K, V]>, other: DStream<[K, W]>, numPartitions?: number): DStream<[K, [V, W | undefined]]> {
    return this.pairWith<K, V, W, [K, [V, W | undefined]]>(other, 'leftOuterJoin', (a, b) => a.leftOuterJoin(b, numPartitions), numPartitions);
  }

  rightOuterJoin<K, V, W>(this: DStream<[K, V]>, other: DStream<[K, W]>, numPartitions?: number): DStream<[K, [V | undefined, W]]> {
    return this.pairWith<K, V, W, [K, [V | undefined, W]]>(other, 'rightOuterJoin', (a, b) => a.rightOuterJoin(b, numPartitions), numPartitions);
  }

  fullOuterJoin<K, V, W>(
    this: DStream<[K, V]>,
    other: DStream<[K, W]>,
    numPartitions?: number,
  ): DStream<[K, [V | undefined, W | undefined]]> {
    return this.pairWith<K, V, W, [K, [V | undefined, W | undefined]]>(other, 'fullOuterJoin', (a, b) => a.fullOuterJoin(b, numPartitions), numPartitions);
  }

  cogroup<K, V, W>(this: DStream<[K, V]>, other: DStream<[K, W]>, numPartitions?: number): DStream<[K, [V[], W[]]]> {
    return this.pairWith<K, V, W, [K, [V[], W[]]]>(other, 'cogroup', (a, b) => a.cogroup(b, numPartitions), numPartitions);
  }

  // ---------------------------------------------------------------- pair operations over windows

  groupByKeyAndWindow<K, V>(
    this: DStream<[K, V]>,
    windowDuration: DurationLike,
    slideDuration?: DurationLike,
    numPartitions?: number,
  ): DStream<[K, V[]]> {
    return this.window(windowDuration, slideDuration).groupByKey(numPartitions);
  }

  /**
   * Values of each key reduced over the window, every slide. Two forms:
   * `(reduce, window, slide?, numPartitions?)` reduces the whole window each time;
   * `(reduce, invReduce, window, slide?, numPartitions?, filterFunc?)` is incremental (new window =
   * previous + entering batches - leaving batches, its cost follows the slide) and needs a
   * checkpoint directory. `invReduce(a, b)` must undo `reduce`: `invReduce(reduce(a, b), b) == a`.
   * Keys whose value drops out stay with their "zero" value unless `filterFunc` removes them.
   */
  reduceByKeyAndWindow<K, V>(
    this: DStream<[K, V]>,
    reduce: (a: V, b: V) => V,
    windowDuration: DurationLike,
    slideDuration?: DurationLike,
    numPartitions?: number | Partitioner,
  ): DStream<[K, V]>;
  reduceByKeyAndWindow<K, V>(
    this: DStream<[K, V]>,
    reduce: (a: V, b: V) => V,
    invReduce: (a: V, b: V) => V,
    windowDuration: DurationLike,
    slideDuration?: DurationLike,
    numPartitions?: number | Partitioner,
    filterFunc?: (kv: [K, V]) => boolean,
  ): DStream<[K, V]>;
  reduceByKeyAndWindow<K, V>(
    this: DStream<[K, V]>,
    reduce: (a: V, b: V) => V,
    a: ((a: V, b: V) => V) | DurationLike,
    b?: DurationLike,
    c?: DurationLike | number | Partitioner,
    d?: number | Partitioner,
    filterFunc?: (kv: [K, V]) => boolean,
  ): DStream<[K, V]> {
    if (typeof a === 'function') {
      const [w, s] = this.windowDurations(b!, c as DurationLike | undefined);
      const partitioner = this.partitionerFor(d);
      return this.derive(reducedWindowedPlan(this, { reduce, invReduce: a, windowDuration: w, slideDuration: s, partitioner, filter: filterFunc }));
    }
    const [w, s] = this.windowDurations(a, b);
    const partitioner = this.partitionerFor(c as number | Partitioner | undefined);
    return this.reduceByKey(reduce, partitioner).window(w, s).reduceByKey(reduce, partitioner);
  }

  // ---------------------------------------------------------------- state

  /**
   * Keeps a state per key across batches. `update(values, state, key, time)` is called every batch
   * for every key that has state or new values (with `values` empty when there are none); return
   * the new state, or undefined to remove the key. Needs a checkpoint directory.
   */
  updateStateByKey<K, V, S>(
    this: DStream<[K, V]>,
    update: UpdateStateFunction<K, V, S>,
    opts: UpdateStateOptions<K, S> = {},
  ): DStream<[K, S]> {
    if (typeof update !== 'function') throw new SluiceError('INVALID_OPTION', 'updateStateByKey(update): update must be a function');
    const unknown = Object.keys(opts).filter((k) => k !== 'numPartitions' && k !== 'initialState');
    if (unknown.length) throw new SluiceError('INVALID_OPTION', `updateStateByKey: unknown option(s) ${unknown.join(', ')}; accepted: numPartitions, initialState`);
    const partitioner = this.partitionerFor(opts.numPartitions);
    const initial = opts.initialState === undefined ? undefined : this.ssc.toRDD(opts.initialState);
    return this.derive(statePlan(this, update, partitioner, initial));
  }

  /**
   * Spark's mapWithState: calls the spec's function for every record with the key's state, and
   * returns the stream of what it returned. `.stateSnapshots()` on the result gives every key's
   * state after each batch. Needs a checkpoint directory.
   */
  mapWithState<K, V, S, E>(this: DStream<[K, V]>, spec: StateSpec<K, V, S, E>): MapWithStateDStream<K, S, E> {
    const partitioner = this.partitionerFor(spec.partitions);
    const initial = spec.initial === undefined ? undefined : this.ssc.toRDD(spec.initial);
    const internal = this.derive(mapWithStatePlan(this, spec, partitioner, initial));
    return new MapWithStateDStream(internal);
  }

  // ---------------------------------------------------------------- outputs

  /**
   * Registers an output operation: `f(rdd, time)` runs for every batch that has an RDD, in batch
   * order. A returned promise is awaited before the batch counts as done; if `f` throws or rejects,
   * it is retried, and when it keeps failing the context stops with that error.
   */
  foreachRDD(f: (rdd: RDD<T>, time: Time) => void | Promise<void>, name = 'foreachRDD'): void {
    if (typeof f !== 'function') throw new SluiceError('INVALID_OPTION', 'foreachRDD(f): f must be a function');
    this.ssc.graph.addOutput(this as DStream<unknown>, f as (rdd: RDD<unknown>, time: Time) => Promise<void>, name);
  }

  /**
   * Prints the first `num` elements of every batch, in Spark's format: a line of 43 dashes,
   * `Time: <ms> ms`, 43 dashes, the elements one per line, `...` when there were more, an empty line.
   */
  print(num = 10): void {
    if (!Number.isInteger(num) || num < 0) throw new SluiceError('INVALID_OPTION', `print(num): num must be a whole number >= 0, got ${String(num)}`);
    this.foreachRDD(printOutput<T>(num, (s) => this.ssc.printSink(s)), 'print');
  }

  /**
   * Writes every batch to the directory `prefix-<ms>[.suffix]`, one `part-NNNNN` file per partition
   * plus `_SUCCESS`. The directory appears atomically (written aside, then renamed), so a reader
   * never sees half a batch, and a re-run of the batch replaces it.
   */
  saveAsTextFiles(prefix: string, suffix?: string): void {
    if (typeof prefix !== 'string' || prefix.length === 0) throw new SluiceError('INVALID_OPTION', 'saveAsTextFiles(prefix): prefix must be a non-empty path');
    this.foreachRDD(saveAsTextFilesOutput<T>(prefix, suffix), 'saveAsTextFiles');
  }
}

/** The result of mapWithState: the mapped values, plus {@link stateSnapshots}. */
export class MapWithStateDStream<K, S, E> extends DStream<E> {
  constructor(private readonly internal: DStream<MapWithStateRecord<K, S, E>>) {
    super(internal.ssc, transformedPlan('mapWithState', internal, (rdd) => rdd.flatMap((r) => r.mapped)));
  }

  /**
   * Names the state: checkpoints keep it under `id` (the stream of mapped values is `id/mapped`).
   * @throws SluiceError INVALID_OPTION when the name is empty or already used in this context.
   */
  override name(id: string): this {
    this.internal.name(id);
    return super.name(`${id}/mapped`);
  }

  /** Every key's state after each batch. */
  stateSnapshots(): DStream<[K, S]> {
    return this.internal.transform((rdd) => rdd.flatMap((r) => Array.from(r.state, ([k, [s]]) => [k, s] as [K, S])), 'stateSnapshots');
  }
}
