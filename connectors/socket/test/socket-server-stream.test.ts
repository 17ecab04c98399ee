// socketServerStream: many senders at once, 127.0.0.1 by default, a taken port retried with
// backoff, and stop closing every connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { StreamingContext, SluiceError } from '@sluice/core';
import { socketServerStream } from '@sluice/socket';
import { collect, listenForReports, waitUntil } from '../../../test/conformance/index.js';
import { Senders } from './peers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function context(): StreamingContext {
  return new StreamingContext({ batchInterval: 100, blockInterval: 20, logger: quiet });
}

test('accepts many senders at once; each sender\'s lines arrive complete and in order', async () => {
  const ssc = context();
  const stream = socketServerStream(ssc, { port: 0 });
  const out = collect(stream);
  try {
    await ssc.start();
    const address = await stream.listening();
    assert.equal(address.address, '127.0.0.1');
    const senders = 50;
    const lines = 400;
    const peer = new Senders();
    peer.port = address.port;
    await Promise.all(Array.from({ length: senders }, (_, s) => peer.send(Array.from({ length: lines }, (_, i) => `s${s}-${i}`))));
    await waitUntil(() => out.length >= senders * lines, 20_000, `${senders * lines} lines`, () => `${out.length} so far`);
    assert.equal(out.length, senders * lines);
    for (let s = 0; s < senders; s++) {
      const mine = out.filter((l) => l.startsWith(`s${s}-`));
      assert.deepEqual(mine, Array.from({ length: lines }, (_, i) => `s${s}-${i}`));
    }
    assert.equal(stream.stats.connections, senders);
    await waitUntil(() => stream.stats.openConnections === 0, 5000, 'senders to be gone');
  } finally {
    await ssc.stop();
  }
});

test('a taken port is reported and retried with backoff; the same port is kept once bound', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  const port = (blocker.address() as AddressInfo).port;
  const ssc = context();
  const stream = socketServerStream(ssc, { port, restartDelayMs: 50 });
  const out = collect(stream);
  const reports = listenForReports(ssc);
  try {
    await ssc.start();
    await waitUntil(() => reports.receiverErrors.some((m) => m.includes(`Cannot listen on 127.0.0.1:${port}`)), 5000, 'the listen failure to be reported');
    assert.equal(stream.address(), undefined);
    await new Promise<void>((r) => blocker.close(() => r()));
    const bound = await stream.listening(10_000);
    assert.equal(bound.port, port);
    const peer = new Senders();
    peer.port = port;
    await peer.send(['hello']);
    await waitUntil(() => out.length === 1, 10_000, 'a line');
    assert.deepEqual(out, ['hello']);
  } finally {
    await ssc.stop();
  }
});

test('stop closes open sender connections and stops listening', async () => {
  const ssc = context();
  const stream = socketServerStream(ssc, { port: 0 });
  collect(stream);
  await ssc.start();
  const { port } = await stream.listening();
  const { connect } = await import('node:net');
  const client = connect({ host: '127.0.0.1', port });
  const closed = new Promise<void>((r) => client.on('close', () => r()));
  client.on('error', () => {});
  await waitUntil(() => stream.stats.openConnections === 1, 5000, 'the sender to be accepted');
  await ssc.stop();
  await closed;
  const refused = connect({ host: '127.0.0.1', port });
  const err = await new Promise<NodeJS.ErrnoException>((r) => refused.on('error', r));
  assert.equal(err.code, 'ECONNREFUSED');
});

test('options are validated, naming the option', () => {
  const ssc = context();
  const bad = (f: () => unknown, name: string): void =>
    assert.throws(f, (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION' && e.message.includes(name));
  bad(() => socketServerStream(ssc, {} as never), 'port');
  bad(() => socketServerStream(ssc, { port: -1 }), 'port');
  bad(() => socketServerStream(ssc, { port: 0, maxConnections: 0 }), 'maxConnections');
  bad(() => socketServerStream(ssc, { port: 0, hots: 'x' } as never), 'hots');
  bad(() => socketServerStream(ssc, { port: 0, converter: () => ({ push() {}, end() {} }), maxLineBytes: 5 } as never), 'maxLineBytes');
});
