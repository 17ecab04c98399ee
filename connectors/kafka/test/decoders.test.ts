// Decoders turn key and value bytes into values; anything a decoder throws rejects that record
// only, with its position, and the records around it are kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import avsc, { type Schema } from 'avsc';
import { decodeMessages, resolveDecoder, type RawMessage } from '../src/decoders.js';

const msg = (offset: number, value: Buffer | null, key: Buffer | null = null): RawMessage => ({ offset: String(offset), key, value, timestamp: '1700000000000', headers: { h: Buffer.from('x') } });

test('utf8 (default) keeps text and rejects bytes that are not UTF-8', () => {
  const utf8 = resolveDecoder<string>(undefined, 'valueDecoder');
  const { records, rejected } = decodeMessages('t', 0, [msg(0, Buffer.from('héllo')), msg(1, Buffer.from([0xff, 0xfe])), msg(2, Buffer.from('ok'))], utf8, utf8);
  assert.deepEqual(records.map((r) => [r.offset, r.value]), [[0, 'héllo'], [2, 'ok']]);
  assert.equal(rejected.length, 1);
  assert.equal(rejected[0]!.offset, 1);
  assert.equal(rejected[0]!.field, 'value');
  assert.match(String(rejected[0]!.error), /not valid UTF-8/);
  assert.equal(records[0]!.timestamp, 1700000000000);
  assert.deepEqual(records[0]!.headers['h'], Buffer.from('x'));
});

test('null keys and values (tombstones) stay null and are never decoded', () => {
  const json = resolveDecoder<unknown>('json', 'valueDecoder');
  const { records, rejected } = decodeMessages('t', 3, [msg(7, null, null)], json, json);
  assert.equal(rejected.length, 0);
  assert.deepEqual({ key: records[0]!.key, value: records[0]!.value, partition: records[0]!.partition }, { key: null, value: null, partition: 3 });
});

test('json, buffer, avro and function decoders; a failing key decoder names the key', () => {
  const json = resolveDecoder<unknown>('json', 'v');
  const buffer = resolveDecoder<Buffer>('buffer', 'v');
  const schema: Schema = { type: 'record', name: 'Click', fields: [{ name: 'url', type: 'string' }, { name: 'ms', type: 'long' }] };
  const avro = resolveDecoder<{ url: string; ms: number }>({ avro: schema }, 'v');
  const type = avsc.Type.forSchema(schema);
  assert.deepEqual({ ...avro(type.toBuffer({ url: '/a', ms: 5 }), { topic: 't', partition: 0, offset: 0 }) }, { url: '/a', ms: 5 });
  assert.throws(() => avro(Buffer.from([1, 2, 3]), { topic: 't', partition: 0, offset: 0 }));
  assert.deepEqual(buffer(Buffer.from('ab'), { topic: 't', partition: 0, offset: 0 }), Buffer.from('ab'));
  const positions: number[] = [];
  const fn = resolveDecoder<number>((b, pos) => {
    positions.push(pos.offset);
    const n = Number(b.toString());
    if (Number.isNaN(n)) throw new Error('not a number');
    return n;
  }, 'k');
  const out = decodeMessages('t', 0, [msg(0, Buffer.from('{"a":1}'), Buffer.from('4')), msg(1, Buffer.from('{}'), Buffer.from('x')), msg(2, Buffer.from('{bad'), Buffer.from('2'))], fn, json);
  assert.deepEqual(out.records.map((r) => [r.key, r.value]), [[4, { a: 1 }]]);
  assert.deepEqual(out.rejected.map((r) => [r.offset, r.field]), [[1, 'key'], [2, 'value']]);
  assert.deepEqual(positions, [0, 1, 2]);
});
