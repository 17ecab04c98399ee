// socketTextStream, socketStream and rawSocketStream against real TCP servers on 127.0.0.1:
// exact lines, reconnects, bad input with the connection kept, and option validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamingContext, SluiceError } from '@sluice/core';
import { encodeFrame, rawSocketStream, socketStream, socketTextStream, type SocketConverter } from '@sluice/socket';
import { collect, listenForReports, sleep, waitUntil } from '../../../test/conformance/index.js';
import { LineServer } from './peers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function context(): StreamingContext {
  return new StreamingContext({ batchInterval: 100, blockInterval: 20, logger: quiet });
}

test('stores each line without its terminator, in order', async () => {
  const server = await LineServer.start();
  const ssc = context();
  const stream = socketTextStream(ssc, '127.0.0.1', server.port);
  const out = collect(stream);
  try {
    await ssc.start();
    await server.sendRaw(Buffer.from('one\r\ntwo\n\nthree\nunicode ✓\n'));
    await waitUntil(() => out.length >= 5, 10_000, 'five lines');
    assert.deepEqual(out, ['one', 'two', '', 'three', 'unicode ✓']);
    assert.equal(stream.stats.connections, 1);
    assert.equal(stream.stats.records, 5);
  } finally {
    await ssc.stop();
    await server.close();
  }
});

test('reconnects with backoff after the server restarts, and when it was not up at start', async () => {
  const server = await LineServer.start();
  const port = server.port;
  await server.goAway(); // refused at first
  const ssc = context();
  const stream = socketTextStream(ssc, '127.0.0.1', port, { reconnectDelayMs: 50 });
  const out = collect(stream);
  const reports = listenForReports(ssc);
  try {
    await ssc.start();
    await sleep(300);
    assert.equal(stream.stats.connections, 0);
    assert.ok(reports.receiverErrors.some((m) => m.includes('Error connecting')), 'refusals are reported');
    await server.comeBack();
    await server.send(['first']);
    await waitUntil(() => out.includes('first'), 10_000, 'the first line');
    await server.goAway();
    await sleep(200);
    await server.comeBack();
    await server.send(['second']);
    await waitUntil(() => out.includes('second'), 10_000, 'a line after the server restarted');
    assert.deepEqual(out, ['first', 'second']);
    assert.equal(stream.stats.connections, 2);
    assert.equal(ssc.state, 'active');
  } finally {
    await ssc.stop();
    await server.close();
  }
});

test('over-long and invalid lines are skipped and reported; the connection is kept', async () => {
  const server = await LineServer.start();
  const ssc = context();
  const stream = socketTextStream(ssc, '127.0.0.1', server.port, { maxLineBytes: 100 });
  const out = collect(stream);
  const reports = listenForReports(ssc);
  try {
    await ssc.start();
    const data = Buffer.concat([
      Buffer.from('before\n'),
      Buffer.alloc(101, 0x61), Buffer.from('\n'),
      Buffer.from([0x66, 0x80, 0x0a]),
      Buffer.alloc(100_000, 0x62), Buffer.from('\r\n'),
      Buffer.alloc(100, 0x63), Buffer.from('\n'),
      Buffer.from('after\n'),
    ]);
    await server.sendRaw(data);
    await waitUntil(() => out.includes('after'), 10_000, 'the line after the bad ones');
    assert.deepEqual(out, ['before', 'c'.repeat(100), 'after']);
    assert.equal(stream.stats.badRecords, 3);
    assert.equal(stream.stats.connections, 1, 'the connection was kept');
    await waitUntil(() => reports.badReports === 3, 5000, 'three bad-record reports');
    assert.ok(reports.badRecords.some((m) => m.includes('maxLineBytes (100)')));
    assert.ok(reports.badRecords.some((m) => m.includes('not valid UTF-8')));
    assert.equal(reports.receiverErrors.length, 0, 'bad records are not receiver errors');
  } finally {
    await ssc.stop();
    await server.close();
  }
});

test('rawSocketStream stores length-prefixed frames, skipping over-long ones', async () => {
  const server = await LineServer.start();
  const ssc = context();
  const frames = collect(rawSocketStream(ssc, '127.0.0.1', server.port, { maxFrameBytes: 8 }).map((b) => b.toString()));
  try {
    await ssc.start();
    await server.sendRaw(Buffer.concat([encodeFrame(Buffer.from('ab')), encodeFrame(Buffer.from('too long!')), encodeFrame(Buffer.from('')), encodeFrame(Buffer.from('cd'))]));
    await waitUntil(() => frames.length >= 3, 10_000, 'three frames');
    assert.deepEqual(frames, ['ab', '', 'cd']);
  } finally {
    await ssc.stop();
    await server.close();
  }
});

test('socketStream decodes with a custom converter, one decoder per connection', async () => {
  const server = await LineServer.start();
  const ssc = context();
  // Comma-separated numbers; the number cut by a chunk boundary is completed by the next chunk.
  const csv: SocketConverter<number> = () => {
    let rest = '';
    return {
      push(chunk, out) {
        const parts = (rest + chunk.toString('latin1')).split(',');
        rest = parts.pop()!;
        for (const p of parts) out.record(Number(p));
      },
      end(out) {
        if (rest) out.record(Number(rest));
        rest = '';
      },
    };
  };
  const numbers = collect(socketStream(ssc, '127.0.0.1', server.port, csv, { reconnectDelayMs: 20 }));
  try {
    await ssc.start();
    await server.sendRaw(Buffer.from('1,2,3'));
    await server.sendRaw(Buffer.from('4,5,'));
    await waitUntil(() => numbers.length >= 4, 10_000, 'four numbers'); // the bytes read "1,2,34,5,"
    await server.goAway(); // 'end': nothing pending
    await server.comeBack();
    await server.sendRaw(Buffer.from('6,7'));
    await server.goAway(); // the last number has no terminator: emitted at end
    await waitUntil(() => numbers.length >= 6, 10_000, 'six numbers');
    assert.deepEqual(numbers, [1, 2, 34, 5, 6, 7]);
  } finally {
    await ssc.stop();
    await server.close();
  }
});

test('bad arguments fail at the call, naming the option', () => {
  const ssc = context();
  const code = (f: () => unknown, name: string): void => {
    assert.throws(f, (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION' && e.message.includes(name));
  };
  code(() => socketTextStream(ssc, '', 1), 'host');
  code(() => socketTextStream(ssc, 'localhost', 0), 'port');
  code(() => socketTextStream(ssc, 'localhost', 70000), 'port');
  code(() => socketTextStream(ssc, 'localhost', 1, { maxLineBytes: 0 }), 'maxLineBytes');
  code(() => socketTextStream(ssc, 'localhost', 1, { nope: 1 } as never), 'nope');
  code(() => rawSocketStream(ssc, 'localhost', 1, { maxLineBytes: 5 } as never), 'maxLineBytes');
  code(() => socketStream(ssc, 'localhost', 1, 'x' as never), 'converter');
});
