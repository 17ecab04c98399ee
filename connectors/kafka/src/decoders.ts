/**
 * Record decoding: how a Kafka message's key and value bytes become the `key` and `value` of a
 * {@link KafkaRecord}. A decoder that throws rejects the record: it is reported with its topic,
 * partition and offset and skipped (or sent to the dead-letter topic), and the stream goes on.
 */
import { isUtf8 } from 'node:buffer';
import avsc, { type Schema as AvroSchema, type Type as AvroType } from 'avsc';
import { SluiceError } from '@sluice/core';

/** Where a record comes from; passed to function decoders. */
export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** Kafka record headers as they arrived (a header sent several times has an array of values). */
export type KafkaHeaders = Readonly<Record<string, Buffer | Buffer[] | undefined>>;

/**
 * One Kafka record. `offset` and `timestamp` (ms since the epoch) are numbers: exact up to 2^53.
 * `key` / `value` are `null` when the message had none (a tombstone has a `null` value); decoders
 * never see `null`.
 */
export interface KafkaRecord<K = string, V = string> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: K | null;
  readonly value: V | null;
  readonly headers: KafkaHeaders;
  readonly timestamp: number;
}

/**
 * How to decode key or value bytes:
 * - `'utf8'` (default): a string; bytes that are not valid UTF-8 reject the record.
 * - `'buffer'`: the bytes as a Buffer, untouched.
 * - `'json'`: `JSON.parse` of the UTF-8 text; invalid JSON rejects the record.
 * - `{ avro: schema }`: Avro binary (avsc) with this schema (or an avsc `Type`); bytes that do not
 *   match (truncated, trailing bytes) reject the record. For the Confluent wire format, strip the
 *   5-byte header in a function decoder.
 * - a function `(bytes, position) => value`: anything it throws rejects the record.
 */
export type Decoder<T> = 'utf8' | 'buffer' | 'json' | { avro: AvroSchema | AvroType } | ((bytes: Buffer, position: RecordPosition) => T);

export type DecodeFn<T> = (bytes: Buffer, position: RecordPosition) => T;

/** Marks the built-in decoders, which ignore the position (so none is allocated per record for them). */
const BUILT_IN = new WeakSet<DecodeFn<unknown>>();
const builtIn = <T>(fn: DecodeFn<T>): DecodeFn<T> => {
  BUILT_IN.add(fn as DecodeFn<unknown>);
  return fn;
};
const utf8Decoder = builtIn(utf8 as DecodeFn<unknown>);
const bufferDecoder = builtIn((b: Buffer) => b);
const jsonDecoder = builtIn((b: Buffer) => JSON.parse(utf8(b)) as unknown);
const NO_POSITION: RecordPosition = Object.freeze({ topic: '', partition: -1, offset: -1 });

function utf8(bytes: Buffer): string {
  if (!isUtf8(bytes)) throw new SluiceError('KAFKA_DECODE_FAILED', 'not valid UTF-8');
  return bytes.toString('utf8');
}

/**
 * Turns a {@link Decoder} option into a function.
 * @throws SluiceError INVALID_OPTION naming `option` when the decoder is not one of the accepted
 *   forms or its Avro schema is invalid.
 */
export function resolveDecoder<T>(decoder: Decoder<T> | undefined, option: string): DecodeFn<T> {
  if (decoder === undefined || decoder === 'utf8') return utf8Decoder as DecodeFn<T>;
  if (decoder === 'buffer') return bufferDecoder as DecodeFn<T>;
  if (decoder === 'json') return jsonDecoder as DecodeFn<T>;
  if (typeof decoder === 'function') return decoder;
  if (typeof decoder === 'object' && decoder !== null && 'avro' in decoder) {
    let type: AvroType;
    try {
      type = decoder.avro instanceof avsc.Type ? decoder.avro : avsc.Type.forSchema(decoder.avro);
    } catch (e) {
      throw new SluiceError('INVALID_OPTION', `${option}: the Avro schema is invalid: ${(e as Error).message}`, { cause: e });
    }
    return builtIn((b: Buffer) => type.fromBuffer(b) as T);
  }
  const got = typeof decoder === 'string' ? JSON.stringify(decoder) : typeof decoder;
  throw new SluiceError('INVALID_OPTION', `${option} must be 'utf8', 'buffer', 'json', { avro: schema } or a function (bytes, position) => value, got ${got}`);
}

/** A message as kafkajs hands it over (consumer batches and raw fetches alike). */
export interface RawMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: KafkaHeaders | undefined;
  readonly timestamp: string;
}

/** A record its decoder rejected, with the original bytes (for the dead-letter topic). */
export interface RejectedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly message: RawMessage;
  /** "key" or "value": which decoder rejected it. */
  readonly field: 'key' | 'value';
  readonly error: unknown;
}

/** Decoded records and the rejected ones of one partition's messages, in offset order. */
export interface DecodedMessages<K, V> {
  records: KafkaRecord<K, V>[];
  rejected: RejectedRecord[];
}

const NO_HEADERS: KafkaHeaders = Object.freeze({});

/** Decodes `messages` of one partition; never throws (a throwing decoder rejects its record). */
export function decodeMessages<K, V>(
  topic: string,
  partition: number,
  messages: readonly RawMessage[],
  keyDecoder: DecodeFn<K>,
  valueDecoder: DecodeFn<V>,
): DecodedMessages<K, V> {
  const records: KafkaRecord<K, V>[] = [];
  const rejected: RejectedRecord[] = [];
  const positioned = !BUILT_IN.has(keyDecoder as DecodeFn<unknown>) || !BUILT_IN.has(valueDecoder as DecodeFn<unknown>);
  for (const m of messages) {
    const offset = Number(m.offset);
    const position: RecordPosition = positioned ? { topic, partition, offset } : NO_POSITION;
    let key: K | null = null;
    let value: V | null = null;
    let field: 'key' | 'value' = 'key';
    try {
      if (m.key !== null && m.key !== undefined) key = keyDecoder(m.key, position);
      field = 'value';
      if (m.value !== null && m.value !== undefined) value = valueDecoder(m.value, position);
    } catch (error) {
      rejected.push({ topic, partition, offset, message: m, field, error });
      continue;
    }
    records.push({ topic, partition, offset, key, value, headers: m.headers ?? NO_HEADERS, timestamp: Number(m.timestamp) });
  }
  return { records, rejected };
}
