// Option validation of both factories: bad arguments fail at the call, naming the option.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bodyToString, createFlumePollingStream, createFlumeStream } from '@sluice/flume';
import { resolvePollingOptions } from '../src/config.js';
import { newContext } from './helpers.js';

describe('createFlumeStream options', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['empty host', () => createFlumeStream(newContext(), '', 1), /host must be a non-empty/],
    ['port out of range', () => createFlumeStream(newContext(), '127.0.0.1', 70_000), /port must be a whole number from 0 to 65535/],
    ['unknown option', () => createFlumeStream(newContext(), '127.0.0.1', 0, { maxBatch: 1 } as never), /unknown option\(s\) maxBatch; accepted: maxRequestBytes/],
    ['tiny maxRequestBytes', () => createFlumeStream(newContext(), '127.0.0.1', 0, { maxRequestBytes: 10 }), /maxRequestBytes must be a whole number from 1024/],
    ['tls without a key', () => createFlumeStream(newContext(), '127.0.0.1', 0, { tls: { ca: 'x' } }), /option tls must be node:tls server options with key and cert/],
    ['non-boolean enableDecompression', () => createFlumeStream(newContext(), '127.0.0.1', 0, { enableDecompression: 'yes' as never }), /enableDecompression must be true or false/],
  ];
  for (const [name, call, message] of cases) {
    it(`rejects ${name}`, () => assert.throws(call, (e: Error & { code?: string }) => e.code === 'INVALID_OPTION' && message.test(e.message)));
  }
});

describe('createFlumePollingStream options', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['no addresses', () => createFlumePollingStream(newContext(), []), /addresses must be a non-empty array/],
    ['an address without a port', () => createFlumePollingStream(newContext(), ['flume-1']), /addresses\[0\] must be "host:port"/],
    ['port 0', () => createFlumePollingStream(newContext(), ['h:0']), /addresses\[0\] port must be a whole number from 1/],
    ['the same sink twice', () => createFlumePollingStream(newContext(), ['h:1', { host: 'h', port: 1 }]), /distinct sink addresses/],
    ['maxBatchSize 0', () => createFlumePollingStream(newContext(), ['h:1'], { maxBatchSize: 0 }), /maxBatchSize must be a whole number from 1/],
    ['maxReconnectDelayMs below reconnectDelayMs', () => createFlumePollingStream(newContext(), ['h:1'], { reconnectDelayMs: 500, maxReconnectDelayMs: 100 }), /maxReconnectDelayMs must be a whole number from 500/],
  ];
  for (const [name, call, message] of cases) {
    it(`rejects ${name}`, () => assert.throws(call, (e: Error & { code?: string }) => e.code === 'INVALID_OPTION' && message.test(e.message)));
  }

  it('accepts "host:port", [ipv6]:port and { host, port }, with Spark defaults', () => {
    const o = resolvePollingOptions(['a:1', '[::1]:2', { host: 'b', port: 3 }], undefined);
    assert.deepEqual(o.sinks, [
      { host: 'a', port: 1, id: 'a:1' },
      { host: '::1', port: 2, id: '[::1]:2' },
      { host: 'b', port: 3, id: 'b:3' },
    ]);
    assert.equal(o.maxBatchSize, 1000);
    assert.equal(o.parallelism, 5);
  });
});

describe('bodyToString', () => {
  it('decodes the body as UTF-8, also from a view into a larger buffer', () => {
    const big = Buffer.from('xxhéllo€yy');
    assert.equal(bodyToString({ headers: {}, body: big.subarray(2, big.length - 2) }), 'héllo€');
  });
});
