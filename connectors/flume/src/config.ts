/**
 * Options of the two Flume streams, their defaults and their validation. Unknown keys are rejected
 * and every message names the option and what it accepts (SluiceError `INVALID_OPTION`).
 */
import type { TlsOptions } from 'node:tls';
import { SluiceError, optionError } from '@sluice/core';

/** Options of createFlumeStream (push: Flume's avro sink connects to us). */
export interface FlumeStreamOptions {
  /** Largest request (one Netty pack: an appendBatch with its events), bytes; refused before it is buffered. Default 32 MiB. */
  maxRequestBytes?: number;
  /** Most events in one appendBatch; refused from its first block count. Default 10,000 (Flume's sink sends batch-size, default 100). */
  maxBatchSize?: number;
  /** Connections at once; further ones are closed and reported. Default 64. */
  maxConnections?: number;
  /** zlib-compressed connections, as Flume's `compression-type = deflate` (Spark's `enableDecompression`). Default false. */
  enableDecompression?: boolean;
  /** Serve TLS with these options (at least `key` + `cert`, or `pfx`), for Flume's `ssl = true`. Default: plain TCP. */
  tls?: TlsOptions;
  /** Receiver name in listener events; default `flume-push-<host>:<port>`. */
  name?: string;
  /** Delay before listening again after the server failed (port taken), ms; doubled per failure up to 60 s. Default 2000. */
  restartDelayMs?: number;
}

/** One SparkSink to poll: `"host:port"` or `{ host, port }`. */
export type FlumeSinkAddress = string | { host: string; port: number };

/** Options of createFlumePollingStream (pull: we poll Spark's SparkSink). */
export interface FlumePollingStreamOptions {
  /** Events asked for per getEventBatch (Spark's maxBatchSize); keep it <= the channel's transactionCapacity. Default 1000. */
  maxBatchSize?: number;
  /** Sinks polled at once, one batch in flight per sink (Spark's parallelism). Default 5. */
  parallelism?: number;
  /** Give up a connection attempt after this long, ms. Default 10,000. */
  connectTimeoutMs?: number;
  /** Longest wait for an ack or nack answer, ms; then the connection is dropped and rebuilt. Default 30,000. */
  ackTimeoutMs?: number;
  /** First delay before reconnecting to a sink that went away (or after an error batch), ms; doubled up to maxReconnectDelayMs. Default 1000. */
  reconnectDelayMs?: number;
  /** Largest reconnect delay, ms. Default 30,000. */
  maxReconnectDelayMs?: number;
  /** Receiver name in listener events; default `flume-polling-<first address>`. */
  name?: string;
}

export interface ResolvedPushOptions {
  host: string;
  port: number;
  maxRequestBytes: number;
  maxBatchSize: number;
  maxConnections: number;
  enableDecompression: boolean;
  tls: TlsOptions | undefined;
  name: string | undefined;
  restartDelayMs: number;
}

export interface ResolvedSink {
  host: string;
  port: number;
  /** `host:port`, as recorded in block meta. */
  id: string;
}

export interface ResolvedPollingOptions {
  sinks: ResolvedSink[];
  maxBatchSize: number;
  parallelism: number;
  connectTimeoutMs: number;
  ackTimeoutMs: number;
  reconnectDelayMs: number;
  maxReconnectDelayMs: number;
  name: string | undefined;
}

const PUSH_KEYS = ['maxRequestBytes', 'maxBatchSize', 'maxConnections', 'enableDecompression', 'tls', 'name', 'restartDelayMs'] as const;
const POLL_KEYS = ['maxBatchSize', 'parallelism', 'connectTimeoutMs', 'ackTimeoutMs', 'reconnectDelayMs', 'maxReconnectDelayMs', 'name'] as const;

const bad = optionError;

function options(where: string, opts: unknown, known: readonly string[]): Record<string, unknown> {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw bad(where, 'options', 'an object', opts);
  const unknown = Object.keys(opts).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new SluiceError('INVALID_OPTION', `${where}: unknown option(s) ${unknown.join(', ')}; accepted: ${known.join(', ')}`);
  return opts as Record<string, unknown>;
}

function whole(where: string, option: string, v: unknown, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(where, `option ${option}`, `a whole number from ${min} to ${max}`, v);
  return v;
}

function host(where: string, v: unknown, what = 'host'): string {
  if (typeof v !== 'string' || v.length === 0) throw bad(where, what, 'a non-empty host name or IP address', v);
  return v;
}

function port(where: string, v: unknown, min: number, what = 'port'): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 65535) throw bad(where, what, `a whole number from ${min} to 65535`, v);
  return v;
}

function name(where: string, v: unknown): string | undefined {
  if (v !== undefined && (typeof v !== 'string' || v.length === 0)) throw bad(where, 'option name', 'a non-empty string', v);
  return v as string | undefined;
}

/** @throws SluiceError INVALID_OPTION naming the first bad argument or option. */
export function resolvePushOptions(hostArg: unknown, portArg: unknown, opts: unknown): ResolvedPushOptions {
  const where = 'createFlumeStream';
  const o = options(where, opts, PUSH_KEYS);
  const tls = o['tls'];
  if (tls !== undefined) {
    const t = tls as Record<string, unknown>;
    if (typeof tls !== 'object' || tls === null || !((t['key'] && t['cert']) || t['pfx'])) {
      throw bad(where, 'option tls', 'node:tls server options with key and cert (or pfx)', tls === undefined ? tls : '{...}');
    }
  }
  const decompress = o['enableDecompression'];
  if (decompress !== undefined && typeof decompress !== 'boolean') throw bad(where, 'option enableDecompression', 'true or false', decompress);
  return {
    host: host(where, hostArg),
    port: port(where, portArg, 0),
    maxRequestBytes: whole(where, 'maxRequestBytes', o['maxRequestBytes'], 1024, 1024 * 1024 * 1024, 32 * 1024 * 1024),
    maxBatchSize: whole(where, 'maxBatchSize', o['maxBatchSize'], 1, 10_000_000, 10_000),
    maxConnections: whole(where, 'maxConnections', o['maxConnections'], 1, 100_000, 64),
    enableDecompression: decompress === true,
    tls: tls as TlsOptions | undefined,
    name: name(where, o['name']),
    restartDelayMs: whole(where, 'restartDelayMs', o['restartDelayMs'], 0, 3_600_000, 2000),
  };
}

function sink(where: string, a: unknown, i: number): ResolvedSink {
  const what = `addresses[${i}]`;
  if (typeof a === 'string') {
    const m = /^(.+):(\d+)$/.exec(a);
    if (!m) throw bad(where, what, '"host:port" or { host, port }', a);
    const h = m[1]!.startsWith('[') && m[1]!.endsWith(']') ? m[1]!.slice(1, -1) : m[1]!;
    return { host: host(where, h, `${what} host`), port: port(where, Number(m[2]), 1, `${what} port`), id: a };
  }
  if (typeof a === 'object' && a !== null) {
    const { host: h, port: p, ...rest } = a as Record<string, unknown>;
    if (Object.keys(rest).length > 0) throw bad(where, what, '{ host, port } without other keys', a);
    const hh = host(where, h, `${what}.host`);
    const pp = port(where, p, 1, `${what}.port`);
    return { host: hh, port: pp, id: `${hh.includes(':') ? `[${hh}]` : hh}:${pp}` };
  }
  throw bad(where, what, '"host:port" or { host, port }', a);
}

/** @throws SluiceError INVALID_OPTION naming the first bad argument or option. */
export function resolvePollingOptions(addresses: unknown, opts: unknown): ResolvedPollingOptions {
  const where = 'createFlumePollingStream';
  if (!Array.isArray(addresses) || addresses.length === 0) throw bad(where, 'addresses', 'a non-empty array of "host:port" or { host, port }', addresses);
  const sinks = addresses.map((a, i) => sink(where, a, i));
  const ids = new Set<string>();
  for (const s of sinks) {
    if (ids.has(s.id)) throw bad(where, 'addresses', 'distinct sink addresses', s.id);
    ids.add(s.id);
  }
  const o = options(where, opts, POLL_KEYS);
  const reconnectDelayMs = whole(where, 'reconnectDelayMs', o['reconnectDelayMs'], 1, 3_600_000, 1000);
  return {
    sinks,
    maxBatchSize: whole(where, 'maxBatchSize', o['maxBatchSize'], 1, 1_000_000, 1000),
    parallelism: whole(where, 'parallelism', o['parallelism'], 1, 10_000, 5),
    connectTimeoutMs: whole(where, 'connectTimeoutMs', o['connectTimeoutMs'], 1, 3_600_000, 10_000),
    ackTimeoutMs: whole(where, 'ackTimeoutMs', o['ackTimeoutMs'], 1, 3_600_000, 30_000),
    reconnectDelayMs,
    maxReconnectDelayMs: whole(where, 'maxReconnectDelayMs', o['maxReconnectDelayMs'], reconnectDelayMs, 3_600_000, Math.max(30_000, reconnectDelayMs)),
    name: name(where, o['name']),
  };
}
