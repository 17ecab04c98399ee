/**
 * The two kafkajs internals the direct stream reads with, typed and checked in one place.
 *
 * kafkajs 2.x has no `assign()`: its only public reader is a group consumer, which runs its own
 * fetch loop, prefetches, and moves with rebalances. To read an exact offset range, the direct
 * stream uses what that consumer uses underneath: a `Cluster` made by the client's own factory
 * (so brokers, TLS, SASL, retries, socket factory and logging are the user's options) whose leader
 * for the partition answers a Fetch request at a given offset, and kafkajs's filter of aborted
 * transactions (read_committed; records before the fetch offset and control records are dropped
 * in range-reader.ts, as kafkajs's `Batch` does, without its per-record Long arithmetic).
 * These exist unchanged in every kafkajs 2.x release (2.2.4 is the last); {@link createFetchCluster}
 * fails with KAFKA_CLIENT_UNSUPPORTED if they ever go.
 *
 * The same cluster commits the direct stream's offsets: an OffsetCommit to the group coordinator
 * with generation -1 and no member id, as a Java consumer using `assign()` does. (kafkajs's
 * `admin.setOffsets` instead runs a whole consumer that joins the group and waits out a fetch:
 * about 5 s per commit.)
 */
import { createRequire } from 'node:module';
import type { Kafka } from 'kafkajs';
import { kafkaError } from './errors.js';
import type { RawMessage } from './decoders.js';

/** kafkajs's READ_COMMITTED isolation level (protocol constant). */
export const READ_COMMITTED = 1;

/** One partition of a Fetch response, as kafkajs decodes it. */
export interface FetchedPartitionData {
  readonly partition: number;
  readonly highWatermark: string;
  readonly lastStableOffset?: string;
  readonly abortedTransactions: readonly unknown[];
  readonly messages: readonly FetchedMessage[];
}

export interface FetchRequest {
  readonly maxWaitTime: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly isolationLevel: number;
  readonly topics: ReadonlyArray<{ topic: string; partitions: ReadonlyArray<{ partition: number; fetchOffset: string; maxBytes: number }> }>;
}

export interface OffsetCommitRequest {
  readonly groupId: string;
  readonly groupGenerationId: number;
  readonly memberId: string;
  readonly retentionTime?: number;
  readonly topics: ReadonlyArray<{ topic: string; partitions: ReadonlyArray<{ partition: number; offset: string }> }>;
}

export interface InternalBroker {
  fetch(request: FetchRequest): Promise<{ responses: Array<{ topicName: string; partitions: FetchedPartitionData[] }> }>;
  offsetCommit(request: OffsetCommitRequest): Promise<unknown>;
}

/** The subset of kafkajs's `Cluster` used here. */
export interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(query: { nodeId: string }): Promise<InternalBroker>;
  findGroupCoordinator(query: { groupId: string }): Promise<InternalBroker>;
}

/** A fetched message with what kafkajs adds for transactions. */
export type FetchedMessage = RawMessage & { readonly isControlRecord?: boolean };

/** kafkajs's filter that drops records of aborted transactions (given the fetch's aborted list). */
type AbortedFilter = (args: { messages: readonly FetchedMessage[]; abortedTransactions: readonly unknown[] }) => FetchedMessage[];
type ClusterFactory = (opts: { metadataMaxAge?: number; allowAutoTopicCreation?: boolean; isolationLevel?: number }) => InternalCluster;

const require = createRequire(import.meta.url);
let abortedFilter: AbortedFilter | undefined;

function unsupported(what: string, cause?: unknown): Error {
  return kafkaError(
    'KAFKA_CLIENT_UNSUPPORTED',
    `The installed kafkajs lacks ${what}, which the direct Kafka stream reads offset ranges with; install kafkajs 2.2.x`,
    cause,
  );
}

/** kafkajs's aborted-transaction filter. @throws SluiceError KAFKA_CLIENT_UNSUPPORTED if it cannot be loaded. */
export function filterAbortedMessages(): AbortedFilter {
  if (abortedFilter) return abortedFilter;
  try {
    const loaded = require('kafkajs/src/consumer/filterAbortedMessages') as unknown;
    if (typeof loaded !== 'function') throw new Error('not a function');
    abortedFilter = loaded as AbortedFilter;
  } catch (e) {
    throw unsupported('kafkajs/src/consumer/filterAbortedMessages', e);
  }
  return abortedFilter;
}

/**
 * A new, unconnected kafkajs Cluster built by `kafka`'s own factory: same brokers, TLS, SASL, retry
 * and logger; isolation level read_committed; never auto-creates topics.
 * @throws SluiceError KAFKA_CLIENT_UNSUPPORTED if the client has no such factory.
 */
export function createFetchCluster(kafka: Kafka, metadataMaxAge = 300_000): InternalCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const factory = symbol === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[symbol];
  if (typeof factory !== 'function') throw unsupported('the client cluster factory (private:Kafka:createCluster)');
  const cluster = (factory as ClusterFactory)({ metadataMaxAge, allowAutoTopicCreation: false, isolationLevel: READ_COMMITTED });
  for (const m of ['connect', 'disconnect', 'addMultipleTargetTopics', 'refreshMetadata', 'refreshMetadataIfNecessary', 'findLeaderForPartitions', 'findBroker', 'findGroupCoordinator'] as const) {
    if (typeof cluster[m] !== 'function') throw unsupported(`Cluster.${m}`);
  }
  filterAbortedMessages();
  return serializeLookups(cluster);
}

/**
 * kafkajs opens a socket in `Connection.connect()` without guarding against concurrent calls:
 * parallel tasks fetching from a broker whose (fetch) connection is not open yet each open one,
 * and all but the last are never closed, so the process cannot exit. Here broker lookups go one at
 * a time (they are map lookups once connected), and each connection of a broker we hand out shares
 * one in-flight connect.
 */
function serializeLookups(cluster: InternalCluster): InternalCluster {
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };
  // The cluster's own methods (findGroupCoordinator, ...) call this.findBroker: they go through it too.
  const findBroker = cluster.findBroker.bind(cluster);
  cluster.findBroker = (query) =>
    serial(async () => {
      const broker = await findBroker(query);
      guardConnects(broker);
      return broker;
    });
  return cluster;
}

const GUARDED = Symbol('sluice.kafka.connectGuarded');
type InternalConnection = { connect(): Promise<unknown>; [GUARDED]?: true };

function guardConnects(broker: InternalBroker): void {
  const pool = (broker as { connectionPool?: { pool?: unknown } }).connectionPool?.pool;
  if (!Array.isArray(pool)) return;
  for (const c of pool as InternalConnection[]) {
    if (c[GUARDED] || typeof c.connect !== 'function') continue;
    const connect = c.connect.bind(c);
    let inFlight: Promise<unknown> | undefined;
    c.connect = () => (inFlight ??= connect().finally(() => (inFlight = undefined)));
    c[GUARDED] = true;
  }
}
