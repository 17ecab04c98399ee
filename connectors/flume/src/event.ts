/**
 * The record type of both Flume streams: one Flume event, as a plain object (it survives the
 * write-ahead log's serialization unchanged: a Buffer comes back as a Buffer).
 */

/** One Flume event: string headers and a binary body (Flume's `AvroFlumeEvent` / `SparkSinkEvent`). */
export interface FlumeEvent {
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The body of `event` decoded as UTF-8 (invalid sequences become U+FFFD), Spark's
 * `new String(event.getBody.array(), UTF_8)`.
 * @example
 * ```ts
 * createFlumeStream(ssc, '127.0.0.1', 41414).map(bodyToString).print();
 * ```
 */
export function bodyToString(event: FlumeEvent): string {
  return Buffer.from(event.body.buffer, event.body.byteOffset, event.body.byteLength).toString('utf8');
}

/** Sets `headers[key] = value`, also for the key `__proto__` (which plain assignment would drop). */
export function setHeader(headers: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__') Object.defineProperty(headers, key, { value, enumerable: true, writable: true, configurable: true });
  else headers[key] = value;
}
