/**
 * Options of the socket streams, their defaults and their validation. Unknown keys are rejected and
 * every message names the option and what it accepts (SluiceError `INVALID_OPTION`).
 */
import { SluiceError, optionError, rejectUnknownOptions as checkKeys, wholeNumberOption as wholeNumber } from '@sluice/core';
import type { SocketConverter } from './decoder.js';

/** Options shared by the client streams (socketTextStream, socketStream, rawSocketStream). */
export interface SocketClientOptions {
  /** Receiver name in listener events; default `socket-<host>:<port>`. */
  name?: string;
  /**
   * Delay before reconnecting after the connection fails, is refused or is closed, ms; doubled on
   * every consecutive failure up to 60 s, reset after 60 s of a healthy connection. Default 2000.
   */
  reconnectDelayMs?: number;
  /** Give up a connection attempt (and retry with backoff) after this long, ms. Default 10000. */
  connectTimeoutMs?: number;
}

export interface SocketTextStreamOptions extends SocketClientOptions {
  /** Longest line kept, in bytes without the terminator; longer lines are skipped. Default 1 MiB. */
  maxLineBytes?: number;
}

export interface RawSocketStreamOptions extends SocketClientOptions {
  /** Longest frame kept, in bytes; longer frames are skipped. Default 16 MiB. */
  maxFrameBytes?: number;
}

/** Options of socketServerStream. */
export interface SocketServerStreamOptions<T = string> {
  /** Address to listen on. Default `127.0.0.1`: pass `0.0.0.0` (or `::`) to accept other machines. */
  host?: string;
  /** Port to listen on, 0 for a free one (chosen at first start and kept across restarts). */
  port: number;
  /** Longest line kept, in bytes (line framing only). Default 1 MiB. */
  maxLineBytes?: number;
  /** Other framings: a converter per connection (default: UTF-8 lines). */
  converter?: SocketConverter<T>;
  /** Senders connected at once; further connections are refused. Default 1024. */
  maxConnections?: number;
  /** Receiver name in listener events; default `socket-server-<host>:<port>`. */
  name?: string;
  /** Delay before listening again after the server failed, ms (backoff as for clients). Default 2000. */
  restartDelayMs?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
export const DEFAULT_RECONNECT_DELAY_MS = 2000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_CONNECTIONS = 1024;

const bad = optionError;
export { checkKeys, wholeNumber };

export function checkHost(where: string, host: unknown): string {
  if (typeof host !== 'string' || host.length === 0) throw bad(where, 'host', 'a non-empty host name or IP address', host);
  return host;
}

export function checkName(where: string, name: unknown): string | undefined {
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) throw bad(where, 'name', 'a non-empty string', name);
  return name as string | undefined;
}

export function checkOptionsObject(where: string, opts: unknown): Record<string, unknown> {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw bad(where, 'opts', 'an object', opts);
  return opts as Record<string, unknown>;
}

/** The resolved client options. */
export interface ClientSettings {
  name: string | undefined;
  reconnectDelayMs: number;
  connectTimeoutMs: number;
}

const CLIENT_KEYS = ['name', 'reconnectDelayMs', 'connectTimeoutMs'] as const;

/**
 * Validates the address and the client options; `extra` names the stream's own options.
 * @throws SluiceError `INVALID_OPTION` naming the first bad option.
 */
export function resolveClient(where: string, host: unknown, port: unknown, opts: unknown, extra: readonly string[]): { host: string; port: number; o: Record<string, unknown>; client: ClientSettings } {
  const o = checkOptionsObject(where, opts);
  checkKeys(where, o, [...CLIENT_KEYS, ...extra]);
  const client: ClientSettings = {
    name: checkName(where, o['name']),
    reconnectDelayMs: wholeNumber(where, 'reconnectDelayMs', o['reconnectDelayMs'], 0, 3_600_000, DEFAULT_RECONNECT_DELAY_MS),
    connectTimeoutMs: wholeNumber(where, 'connectTimeoutMs', o['connectTimeoutMs'], 1, 3_600_000, DEFAULT_CONNECT_TIMEOUT_MS),
  };
  if (port === undefined) throw bad(where, 'port', 'a whole number from 1 to 65535', port);
  return { host: checkHost(where, host), port: wholeNumber(where, 'port', port, 1, 65535, 0), o, client };
}

export const SERVER_KEYS = ['host', 'port', 'maxLineBytes', 'converter', 'maxConnections', 'name', 'restartDelayMs'] as const;
