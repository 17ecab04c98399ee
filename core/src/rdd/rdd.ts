/**
 * RDD: one batch's data as an immutable, partitioned, lazily computed collection with lineage.
 * Transformations are synchronous and return new RDDs; actions return Promises. Narrow
 * transformations (map, filter, flatMap, keyBy, mapValues, ...) fuse into one loop per partition;
 * a shuffle computes each parent partition once, combines map-side and hash-partitions by key.
 *
 * Pair operations are methods typed with a `this: RDD<[K, V]>` parameter, so they exist only on
 * RDDs of `[key, value]` tuples. Keys are grouped by value (see {@link Key}): `[1, 2]` and `[1, 2]`
 * are one key.
 */
import { SluiceError } from '../errors.js';
import { KeyMap } from './keys.js';
import type { RDDContext } from './rdd-context.js';
import type { RDDPlan, Stage } from './plan.js';
import { HashPartitioner, type Partitioner } from './partitioner.js';
import { cogroupPlan, roundRobinPlan, shuffledPlan, sortedPlan, type Aggregator } from './shuffle.js';
import { runTasks } from './run-tasks.js';

const identityStage: Stage<unknown, unknown> = (emit) => emit;

function composeStages<S, A, T>(first: Stage<S, A>, second: Stage<A, T>): Stage<S, T> {
  return (emit) => first(second(emit));
}

function defaultCompare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = defaultCompare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  return (a as never) < (b as never) ? -1 : (a as never) > (b as never) ? 1 : 0;
}

function checkNumPartitions(n: number | undefined, what: string): void {
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
    throw new SluiceError('INVALID_OPTION', `${what}: numPartitions must be a whole number >= 1, got ${String(n)}`);
  }
}

export class RDD<T> {
  /** Unique within the context. */
  readonly id: number;
  private cached: Array<Promise<T[]> | undefined> | undefined;
  private lineageCut: { done: number; data: T[][] } | undefined;

  /** Builds an RDD from a plan. Most code uses transformations or `RDD.fromPartitions` instead. */
  constructor(
    readonly ctx: RDDContext,
    private plan: RDDPlan<T>,
  ) {
    this.id = ctx.nextRddId();
  }

  // ---------------------------------------------------------------- construction

  /** An RDD holding exactly these partitions (each array is one partition, used as is). */
  static fromPartitions<T>(ctx: RDDContext, partitions: readonly (readonly T[])[], kind = 'fromPartitions', partitioner?: Partitioner): RDD<T> {
    return new RDD<T>(ctx, {
      kind,
      numPartitions: partitions.length,
      parents: [],
      partitioner,
      compute: (p) => partitions[p] as T[],
    });
  }

  /**
   * An RDD whose partitions come from `compute` (which may be asynchronous: a read from a log or a
   * broker). `compute` is called again for a retried task.
   */
  static fromSource<T>(
    ctx: RDDContext,
    numPartitions: number,
    compute: (partition: number, attempt: number) => T[] | Promise<T[]>,
    kind = 'source',
  ): RDD<T> {
    return new RDD<T>(ctx, { kind, numPartitions, parents: [], compute });
  }

  /**
   * Splits `items` into `numSlices` partitions by position, as Spark's parallelize does: slice i
   * holds items `[floor(i*n/numSlices), floor((i+1)*n/numSlices))`.
   */
  static parallelize<T>(ctx: RDDContext, items: Iterable<T>, numSlices = ctx.defaultNumPartitions): RDD<T> {
    checkNumPartitions(numSlices, 'parallelize');
    const all = Array.from(items);
    const slices = Array.from({ length: numSlices }, (_, i) =>
      all.slice(Math.floor((i * all.length) / numSlices), Math.floor(((i + 1) * all.length) / numSlices)),
    );
    return RDD.fromPartitions(ctx, slices, 'parallelize');
  }

  /**
   * An RDD whose partitions are pushed element by element by `stream` (which may be asynchronous),
   * so a fused chain or a shuffle consumes them without an intermediate array.
   */
  static fromStreamingSource<T>(
    ctx: RDDContext,
    numPartitions: number,
    stream: (partition: number, attempt: number, emit: (t: T) => void) => Promise<void>,
    kind = 'source',
  ): RDD<T> {
    return new RDD<T>(ctx, {
      kind,
      numPartitions,
      parents: [],
      stream,
      async compute(p, attempt) {
        const out: T[] = [];
        await stream(p, attempt, (t) => out.push(t));
        return out;
      },
    });
  }

  /** An RDD with no partitions. */
  static empty<T>(ctx: RDDContext): RDD<T> {
    return RDD.fromPartitions<T>(ctx, [], 'empty');
  }

  // ---------------------------------------------------------------- structure

  get numPartitions(): number {
    return this.plan.numPartitions;
  }

  /** What kind of RDD this is ("map", "reduceByKey", ...). */
  get kind(): string {
    return this.plan.kind;
  }

  get partitioner(): Partitioner | undefined {
    return this.plan.partitioner;
  }

  /** The RDDs this one is computed from. */
  get dependencies(): readonly RDD<unknown>[] {
    return this.plan.parents;
  }

  /** A line per RDD of the lineage, like Spark's toDebugString. */
  toDebugString(indent = ''): string {
    const self = `${indent}(${this.numPartitions}) ${this.kind} [${this.id}]${this.cached ? ' cached' : ''}`;
    return [self, ...this.dependencies.map((d) => d.toDebugString(indent + '  '))].join('\n');
  }

  /** Keeps computed partitions in memory, so later actions and child RDDs reuse them. */
  cache(): this {
    this.cached ??= new Array(this.numPartitions);
    return this;
  }

  /** Same as {@link cache} (there is one storage level: memory). */
  persist(): this {
    return this.cache();
  }

  /** Drops cached partitions. */
  unpersist(): this {
    this.cached = undefined;
    return this;
  }

  get isCached(): boolean {
    return this.cached !== undefined;
  }

  /**
   * Caches this RDD and, once every partition has been computed, forgets its lineage (like Spark's
   * localCheckpoint). Stateful streams use it so batch t's state does not keep every earlier
   * batch's RDDs alive.
   */
  localCheckpoint(): this {
    this.cache();
    this.lineageCut ??= { done: 0, data: new Array(this.numPartitions) };
    return this;
  }

  private recordComputed(partition: number, items: T[]): void {
    const cut = this.lineageCut;
    if (!cut || cut.data[partition] !== undefined) return;
    cut.data[partition] = items;
    if (++cut.done === this.numPartitions) {
      const data = cut.data;
      this.plan = { kind: `${this.plan.kind} (checkpointed)`, numPartitions: data.length, parents: [], partitioner: this.plan.partitioner, compute: (p) => data[p]! };
    }
  }

  /**
   * The elements of one partition, from the cache or computed from lineage. A rejected computation
   * is not cached, so calling again (a task retry) recomputes it.
   */
  iterator(partition: number, attempt = 0): Promise<T[]> {
    const cache = this.cached;
    if (cache) {
      const hit = cache[partition];
      if (hit) return hit;
      const p = this.computeFresh(partition, attempt);
      cache[partition] = p;
      p.then(
        (items) => this.recordComputed(partition, items),
        () => {
          if (this.cached?.[partition] === p) this.cached[partition] = undefined;
        },
      );
      return p;
    }
    return this.computeFresh(partition, attempt);
  }

  private async computeFresh(partition: number, attempt: number): Promise<T[]> {
    if (attempt > 0) this.plan.reset?.();
    return this.plan.compute(partition, attempt);
  }

  /** Runs `fn` over every partition as tasks (bounded concurrency, retries) and returns results in order. */
  async runJob<R>(fn: (items: T[], partition: number) => R | Promise<R>, partitions?: readonly number[]): Promise<R[]> {
    const ps = partitions ?? Array.from({ length: this.numPartitions }, (_, i) => i);
    return runTasks(ps, async (p, attempt) => fn(await this.iterator(p, attempt), p), {
      concurrency: this.ctx.parallelism,
      maxAttempts: this.ctx.maxTaskFailures,
      what: `RDD ${this.id} (${this.kind})`,
    });
  }

  private readonly computeAll = <U>(rdd: RDD<U>): Promise<U[][]> => rdd.runJob((items) => items);

  /**
   * @internal Streams every element of one partition into `emit`. A fused narrow chain pushes its
   * outputs straight through, so no array of the partition's elements is built.
   */
  async consumePartition(partition: number, attempt: number, emit: (t: T) => void): Promise<void> {
    const pipe = this.plan.pipeline;
    if (pipe && !this.cached) return pipe.source.consumePartition(partition, attempt, pipe.stage(emit));
    if (this.plan.stream && !this.cached) {
      if (attempt > 0) this.plan.reset?.();
      return this.plan.stream(partition, attempt, emit);
    }
    const items = await this.iterator(partition, attempt);
    for (let i = 0; i < items.length; i++) emit(items[i]!);
  }

  /** @internal Runs one task per partition that streams the partition into a fresh sink; resolves with each sink's result. */
  runStreamingJob<R>(sink: (partition: number) => { emit: (t: T) => void; done: () => R }): Promise<R[]> {
    const ps = Array.from({ length: this.numPartitions }, (_, i) => i);
    return runTasks(
      ps,
      async (p, attempt) => {
        const s = sink(p);
        await this.consumePartition(p, attempt, s.emit);
        return s.done();
      },
      { concurrency: this.ctx.parallelism, maxAttempts: this.ctx.maxTaskFailures, what: `RDD ${this.id} (${this.kind})` },
    );
  }

  // ---------------------------------------------------------------- narrow transformations

  /** Applies a push stage lazily, fusing it with this RDD's own stages unless this RDD is cached. */
  protected pipe<U>(kind: string, stage: Stage<T, U>): RDD<U> {
    const fused = this.plan.pipeline && !this.cached;
    const source = fused ? this.plan.pipeline!.source : (this as RDD<unknown>);
    const full = fused
      ? composeStages(this.plan.pipeline!.stage, stage as Stage<unknown, U>)
      : (stage as Stage<unknown, U>);
    return new RDD<U>(this.ctx, {
      kind,
      numPartitions: this.numPartitions,
      parents: [this as RDD<unknown>],
      pipeline: { source, stage: full },
      async compute(p, attempt) {
        const out: U[] = [];
        const push = full((u) => {
          out.push(u);
        });
        await source.consumePartition(p, attempt, push);
        return out;
      },
    });
  }

  map<U>(f: (t: T) => U): RDD<U> {
    return this.pipe('map', (emit) => (t) => emit(f(t)));
  }

  filter(f: (t: T) => boolean): RDD<T> {
    return this.pipe('filter', (emit) => (t) => {
      if (f(t)) emit(t);
    });
  }

  flatMap<U>(f: (t: T) => Iterable<U>): RDD<U> {
    return this.pipe('flatMap', (emit) => (t) => {
      const r = f(t);
      if (Array.isArray(r)) for (let i = 0; i < r.length; i++) emit(r[i]);
      else for (const u of r) emit(u);
    });
  }

  /** Pairs each element with `f(element)` as its key. */
  keyBy<K>(f: (t: T) => K): RDD<[K, T]> {
    return this.pipe('keyBy', (emit) => (t) => emit([f(t), t]));
  }

  mapPartitionsWithIndex<U>(f: (index: number, items: T[]) => Iterable<U>, preservesPartitioning = false): RDD<U> {
    const parent = this;
    return new RDD<U>(this.ctx, {
      kind: 'mapPartitions',
      numPartitions: this.numPartitions,
      parents: [this as RDD<unknown>],
      partitioner: preservesPartitioning ? this.partitioner : undefined,
      async compute(p, attempt) {
        const r = f(p, await parent.iterator(p, attempt));
        return Array.isArray(r) ? r : Array.from(r);
      },
    });
  }

  mapPartitions<U>(f: (items: T[]) => Iterable<U>, preservesPartitioning = false): RDD<U> {
    return this.mapPartitionsWithIndex((_, items) => f(items), preservesPartitioning);
  }

  /** One element per partition: the partition's elements as an array. */
  glom(): RDD<T[]> {
    return this.mapPartitions((items) => [items]);
  }

  /** The partitions of this RDD followed by those of `others`. */
  union(...others: RDD<T>[]): RDD<T> {
    const all = [this as RDD<T>, ...others];
    const index: Array<[rdd: RDD<T>, partition: number]> = [];
    for (const r of all) for (let p = 0; p < r.numPartitions; p++) index.push([r, p]);
    return new RDD<T>(this.ctx, {
      kind: 'union',
      numPartitions: index.length,
      parents: all as RDD<unknown>[],
      compute: (p, attempt) => index[p]![0].iterator(index[p]![1], attempt),
    });
  }

  /**
   * Fewer partitions without a shuffle (adjacent partitions are concatenated), or any number with
   * `shuffle = true` (same as {@link repartition}).
   */
  coalesce(numPartitions: number, shuffle = false): RDD<T> {
    checkNumPartitions(numPartitions, 'coalesce');
    if (shuffle) return this.repartition(numPartitions);
    const n = Math.min(numPartitions, Math.max(1, this.numPartitions));
    const m = this.numPartitions;
    const parent = this;
    return new RDD<T>(this.ctx, {
      kind: 'coalesce',
      numPartitions: m === 0 ? 0 : n,
      parents: [this as RDD<unknown>],
      async compute(p, attempt) {
        const from = Math.floor((p * m) / n);
        const to = Math.floor(((p + 1) * m) / n);
        const parts: T[][] = [];
        for (let i = from; i < to; i++) parts.push(await parent.iterator(i, attempt));
        return parts.flat();
      },
    });
  }

  /** Exactly `numPartitions` partitions, rebalanced evenly (a shuffle). */
  repartition(numPartitions: number): RDD<T> {
    checkNumPartitions(numPartitions, 'repartition');
    return new RDD(this.ctx, roundRobinPlan(this, numPartitions, this.computeAll));
  }

  /** The distinct elements (elements are compared as keys: primitives or arrays of primitives). */
  distinct(numPartitions?: number): RDD<T> {
    return this.map((t) => [t, null] as [T, null])
      .reduceByKey((a) => a, numPartitions)
      .keys();
  }

  sortBy<K>(f: (t: T) => K, ascending = true, numPartitions = Math.max(1, this.numPartitions)): RDD<T> {
    checkNumPartitions(numPartitions, 'sortBy');
    const sign = ascending ? 1 : -1;
    return new RDD(this.ctx, sortedPlan(this, (a, b) => sign * defaultCompare(f(a), f(b)), numPartitions, this.computeAll));
  }

  // ---------------------------------------------------------------- actions

  async collect(): Promise<T[]> {
    return (await this.runJob((items) => items)).flat();
  }

  async count(): Promise<number> {
    const counts = await this.runJob((items) => items.length);
    return counts.reduce((a, b) => a + b, 0);
  }

  /** The first `n` elements, reading as few partitions as possible. */
  async take(n: number): Promise<T[]> {
    const out: T[] = [];
    for (let p = 0; p < this.numPartitions && out.length < n; p++) {
      const [items] = await this.runJob((xs) => xs, [p]);
      for (const x of items!) {
        if (out.length >= n) break;
        out.push(x);
      }
    }
    return out;
  }

  /** The first element. @throws SluiceError EMPTY_COLLECTION when the RDD is empty. */
  async first(): Promise<T> {
    const [x] = await this.take(1);
    if (x === undefined && (await this.isEmpty())) throw new SluiceError('EMPTY_COLLECTION', 'first() on an empty RDD');
    return x as T;
  }

  async isEmpty(): Promise<boolean> {
    return this.numPartitions === 0 || (await this.take(1)).length === 0;
  }

  /** Reduces all elements with an associative, commutative `f`. @throws SluiceError EMPTY_COLLECTION when empty. */
  async reduce(f: (a: T, b: T) => T): Promise<T> {
    const partials = await this.runJob((items) => (items.length === 0 ? [] : [items.reduce(f)]));
    const all = partials.flat();
    if (all.length === 0) throw new SluiceError('EMPTY_COLLECTION', 'reduce() on an empty RDD');
    return all.reduce(f);
  }

  async fold(zero: T, f: (a: T, b: T) => T): Promise<T> {
    const partials = await this.runJob((items) => items.reduce(f, zero));
    return partials.reduce(f, zero);
  }

  async aggregate<U>(zero: () => U, seqOp: (acc: U, t: T) => U, combOp: (a: U, b: U) => U): Promise<U> {
    const partials = await this.runJob((items) => items.reduce(seqOp, zero()));
    return partials.reduce(combOp, zero());
  }

  async foreach(f: (t: T) => void): Promise<void> {
    await this.runJob((items) => items.forEach((t) => f(t)));
  }

  async foreachPartition(f: (items: T[], partition: number) => void | Promise<void>): Promise<void> {
    await this.runJob(f);
  }

  /** How often each distinct element occurs (elements compared as keys). */
  async countByValue(): Promise<Map<T, number>> {
    const counts = await this.map((t) => [t, 1] as [T, number])
      .reduceByKey((a, b) => a + b)
      .collect();
    return new Map(counts);
  }

  // ---------------------------------------------------------------- pair operations

  keys<K, V>(this: RDD<[K, V]>): RDD<K> {
    return this.pipe('keys', (emit) => (kv) => emit(kv[0]));
  }

  values<K, V>(this: RDD<[K, V]>): RDD<V> {
    return this.pipe('values', (emit) => (kv) => emit(kv[1]));
  }

  mapValues<K, V, U>(this: RDD<[K, V]>, f: (v: V) => U): RDD<[K, U]> {
    const out = this.pipe<[K, U]>('mapValues', (emit) => (kv) => emit([kv[0], f(kv[1])]));
    return out.withPartitioner(this.partitioner);
  }

  flatMapValues<K, V, U>(this: RDD<[K, V]>, f: (v: V) => Iterable<U>): RDD<[K, U]> {
    const out = this.pipe<[K, U]>('flatMapValues', (emit) => (kv) => {
      for (const u of f(kv[1])) emit([kv[0], u]);
    });
    return out.withPartitioner(this.partitioner);
  }

  /** The same RDD, declared as placed by `partitioner` (used by key-preserving transformations). */
  private withPartitioner(partitioner: Partitioner | undefined): this {
    if (partitioner) (this.plan as { partitioner?: Partitioner }).partitioner = partitioner;
    return this;
  }

  /** Spark's combineByKey: the general form of every by-key aggregation. */
  combineByKey<K, V, C>(
    this: RDD<[K, V]>,
    createCombiner: (v: V) => C,
    mergeValue: (c: C, v: V) => C,
    mergeCombiners: (a: C, b: C) => C,
    numPartitionsOrPartitioner?: number | Partitioner,
  ): RDD<[K, C]> {
    const partitioner = this.resolvePartitioner(numPartitionsOrPartitioner, 'combineByKey');
    const agg: Aggregator<V, C> = { createCombiner, mergeValue, mergeCombiners };
    return new RDD(this.ctx, shuffledPlan('combineByKey', this, partitioner, agg));
  }

  private resolvePartitioner(n: number | Partitioner | undefined, what: string): Partitioner {
    if (typeof n === 'object') return n;
    checkNumPartitions(n, what);
    return new HashPartitioner(n ?? this.ctx.defaultNumPartitions);
  }

  reduceByKey<K, V>(this: RDD<[K, V]>, f: (a: V, b: V) => V, numPartitions?: number | Partitioner): RDD<[K, V]> {
    const partitioner = this.resolvePartitioner(numPartitions, 'reduceByKey');
    return new RDD(this.ctx, shuffledPlan('reduceByKey', this, partitioner, { createCombiner: (v: V) => v, mergeValue: f, mergeCombiners: f }));
  }

  groupByKey<K, V>(this: RDD<[K, V]>, numPartitions?: number | Partitioner): RDD<[K, V[]]> {
    const partitioner = this.resolvePartitioner(numPartitions, 'groupByKey');
    const agg: Aggregator<V, V[]> = {
      createCombiner: (v) => [v],
      mergeValue: (c, v) => {
        c.push(v);
        return c;
      },
      mergeCombiners: (a, b) => {
        for (let i = 0; i < b.length; i++) a.push(b[i]!);
        return a;
      },
    };
    return new RDD(this.ctx, shuffledPlan('groupByKey', this, partitioner, agg));
  }

  aggregateByKey<K, V, U>(
    this: RDD<[K, V]>,
    zero: () => U,
    seqOp: (acc: U, v: V) => U,
    combOp: (a: U, b: U) => U,
    numPartitions?: number,
  ): RDD<[K, U]> {
    return this.combineByKey((v) => seqOp(zero(), v), seqOp, combOp, numPartitions);
  }

  foldByKey<K, V>(this: RDD<[K, V]>, zero: V, f: (a: V, b: V) => V, numPartitions?: number): RDD<[K, V]> {
    return this.combineByKey((v) => f(zero, v), f, f, numPartitions);
  }

  /** Places pairs by `partitioner` (or a HashPartitioner of n partitions), keeping every pair. */
  partitionBy<K, V>(this: RDD<[K, V]>, partitioner: Partitioner | number): RDD<[K, V]> {
    const p = this.resolvePartitioner(partitioner, 'partitionBy');
    if (p.equals(this.partitioner)) return this;
    return this.groupByKey(p).flatMapValues((vs) => vs);
  }

  /**
   * For each key present in any of the RDDs: its values in this RDD and in each other, in order.
   */
  cogroup<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, [V[], W[]]]>;
  cogroup<K, V, W1, W2>(this: RDD<[K, V]>, other1: RDD<[K, W1]>, other2: RDD<[K, W2]>, numPartitions?: number): RDD<[K, [V[], W1[], W2[]]]>;
  cogroup<K>(this: RDD<[K, unknown]>, ...args: Array<RDD<[K, unknown]> | number | undefined>): RDD<[K, unknown[][]]> {
    const others = args.filter((a): a is RDD<[K, unknown]> => a instanceof RDD);
    const n = args.find((a): a is number => typeof a === 'number');
    return this.cogroupAll(others, n);
  }

  /** cogroup with any number of other RDDs. */
  cogroupAll<K>(this: RDD<[K, unknown]>, others: ReadonlyArray<RDD<[K, unknown]>>, numPartitions?: number | Partitioner): RDD<[K, unknown[][]]> {
    const partitioner = this.resolvePartitioner(numPartitions, 'cogroup');
    return new RDD(this.ctx, cogroupPlan([this, ...others], partitioner, this.computeAll));
  }

  join<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, [V, W]]> {
    return this.cogroup(other, numPartitions).flatMapValues(([vs, ws]) => {
      const out: Array<[V, W]> = [];
      for (const v of vs) for (const w of ws) out.push([v, w]);
      return out;
    });
  }

  /** Every pair of this RDD, with each matching value of `other`, or `undefined` when none. */
  leftOuterJoin<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, [V, W | undefined]]> {
    return this.cogroup(other, numPartitions).flatMapValues(([vs, ws]) => {
      const out: Array<[V, W | undefined]> = [];
      for (const v of vs) {
        if (ws.length === 0) out.push([v, undefined]);
        else for (const w of ws) out.push([v, w]);
      }
      return out;
    });
  }

  rightOuterJoin<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, [V | undefined, W]]> {
    return this.cogroup(other, numPartitions).flatMapValues(([vs, ws]) => {
      const out: Array<[V | undefined, W]> = [];
      for (const w of ws) {
        if (vs.length === 0) out.push([undefined, w]);
        else for (const v of vs) out.push([v, w]);
      }
      return out;
    });
  }

  fullOuterJoin<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, [V | undefined, W | undefined]]> {
    return this.cogroup(other, numPartitions).flatMapValues(([vs, ws]) => {
      const out: Array<[V | undefined, W | undefined]> = [];
      if (vs.length === 0) for (const w of ws) out.push([undefined, w]);
      else if (ws.length === 0) for (const v of vs) out.push([v, undefined]);
      else for (const v of vs) for (const w of ws) out.push([v, w]);
      return out;
    });
  }

  /** Pairs of this RDD whose key does not occur in `other`. */
  subtractByKey<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, V]> {
    return this.cogroup(other, numPartitions).flatMapValues(([vs, ws]) => (ws.length === 0 ? vs : []));
  }

  sortByKey<K, V>(this: RDD<[K, V]>, ascending = true, numPartitions?: number): RDD<[K, V]> {
    return this.sortBy((kv) => kv[0], ascending, numPartitions);
  }

  async countByKey<K, V>(this: RDD<[K, V]>): Promise<Map<K, number>> {
    return new Map(await this.mapValues(() => 1).reduceByKey((a, b) => a + b).collect());
  }

  /** All pairs as a Map (for a key occurring more than once, the last value wins). Array keys keep their first instance. */
  async collectAsMap<K, V>(this: RDD<[K, V]>): Promise<Map<K, V>> {
    const m = new KeyMap<K, V>();
    for (const [k, v] of await this.collect()) m.set(k, v);
    return new Map(m.entries());
  }
}

export { identityStage };
