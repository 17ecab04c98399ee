/**
 * The graph of a context: every stream in creation order (its position is its default operator
 * id), the input streams, and the output operations. Generates one job per output operation per
 * batch and clears remembered RDDs after each batch.
 */
import type { DStream } from '../dstream/dstream.js';
import type { InputDStream } from '../dstream/input-dstream.js';
import type { RDD } from '../rdd/rdd.js';
import { SluiceError } from '../errors.js';
import type { Duration, Time } from '../time.js';

export interface OutputOperation {
  /** Position among output operations (Spark's outputOpId). */
  readonly id: number;
  readonly name: string;
  readonly stream: DStream<unknown>;
  readonly fn: (rdd: RDD<unknown>, time: Time) => void | Promise<void>;
}

export interface Job {
  readonly time: Time;
  readonly output: OutputOperation;
  run(): Promise<void>;
}

export class DStreamGraph {
  readonly streams: DStream<unknown>[] = [];
  readonly inputs: InputDStream<unknown>[] = [];
  readonly outputs: OutputOperation[] = [];
  private readonly names = new Map<string, DStream<unknown>>();
  private started = false;
  zeroTime: Time | undefined;
  /** Set by ssc.remember(d): every stream keeps its RDDs at least this long. */
  rememberDuration: Duration | undefined;

  /** Adds a stream; returns its position. @throws SluiceError INVALID_STATE once the context has started. */
  register(stream: DStream<unknown>): number {
    this.requireNotStarted('create a new stream');
    this.streams.push(stream);
    return this.streams.length - 1;
  }

  addInput(stream: InputDStream<unknown>): void {
    this.inputs.push(stream);
  }

  claimName(name: string, stream: DStream<unknown>): void {
    const owner = this.names.get(name);
    if (owner && owner !== stream) {
      throw new SluiceError('INVALID_OPTION', `name('${name}'): another stream (${owner.kind} #${owner.id}) already has this name`);
    }
    this.names.set(name, stream);
  }

  addOutput(stream: DStream<unknown>, fn: OutputOperation['fn'], name: string): void {
    this.requireNotStarted(`add the output operation ${name}`);
    this.outputs.push({ id: this.outputs.length, name, stream, fn });
  }

  private requireNotStarted(what: string): void {
    if (this.started) {
      throw new SluiceError('INVALID_STATE', `Cannot ${what} after the StreamingContext has started: build the whole graph before start()`);
    }
  }

  /** The streams an output operation reaches, each once, parents before children. */
  reachable(): DStream<unknown>[] {
    const seen = new Set<DStream<unknown>>();
    const order: DStream<unknown>[] = [];
    const visit = (s: DStream<unknown>): void => {
      if (seen.has(s)) return;
      seen.add(s);
      for (const p of s.dependencies) visit(p);
      order.push(s);
    };
    for (const o of this.outputs) visit(o.stream);
    return order;
  }

  /** Fixes the zero time and sets how long each stream remembers its RDDs. */
  start(zeroTime: Time): void {
    this.started = true;
    this.zeroTime = zeroTime;
    const live = this.reachable();
    for (const s of live) {
      s.consumers = 0;
      if (s.mustCheckpoint) s.checkpointDuration ??= s.defaultCheckpointDuration();
    }
    for (const s of live) for (const p of s.dependencies) p.consumers++;
    for (const o of this.outputs) o.stream.consumers++;
    for (const o of this.outputs) o.stream.remember(this.rememberDuration ?? 0);
  }

  /** One job per output operation whose stream has an RDD at `time`. Throws what computing the RDDs throws. */
  generateJobs(time: Time): Job[] {
    const jobs: Job[] = [];
    for (const output of this.outputs) {
      const rdd = output.stream.getOrCompute(time);
      if (rdd === undefined) continue;
      jobs.push({ time, output, run: async () => output.fn(rdd, time) });
    }
    return jobs;
  }

  clearMetadata(time: Time): void {
    for (const o of this.outputs) o.stream.clearMetadata(time);
  }
}
