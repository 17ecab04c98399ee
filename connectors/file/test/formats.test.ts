// Formats: text, JSON lines, Avro container files, gzip of each, custom decoders; and files that
// cannot be decoded: reported to listeners, skipped (or moved to errorDir), the stream going on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { fileStream, textFileStream } from '@sluice/file';
import { collect, listenForReports, sleep, waitUntil } from '../../../test/conformance/index.js';
import { context, dirs, drop } from './helpers.js';

const schema = { type: 'record', name: 'Hit', fields: [{ name: 'ip', type: 'string' }, { name: 'bytes', type: 'long' }] } as const;

/** An Avro object container file holding `records` (deflate-compressed blocks when asked). */
function avroFile(records: Array<{ ip: string; bytes: number }>, codec: 'null' | 'deflate' = 'null'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const enc = new avro.streams.BlockEncoder(avro.Type.forSchema(schema as never), { codec, blockSize: 64 });
    enc.on('data', (c: Buffer) => chunks.push(c));
    enc.on('end', () => resolve(Buffer.concat(chunks)));
    enc.on('error', reject);
    for (const r of records) enc.write(r);
    enc.end();
  });
}

test('text, gzip text, JSON lines and gzip JSON lines', async () => {
  const d = await dirs();
  const ssc = context();
  const text = collect(textFileStream(ssc, d.dir, { settleMs: 0, filter: /\.txt(\.gz)?$/ }));
  const json = collect(fileStream<{ n: number }>(ssc, d.dir, { format: 'jsonl', settleMs: 0, filter: /\.jsonl(\.gz)?$/ }));
  try {
    await ssc.start();
    await drop(d, 'a.txt', '\ufeffplain\r\nsecond');
    await drop(d, 'b.txt.gz', gzipSync('zipped\n'));
    await drop(d, 'c.jsonl', '{"n":1}\n\n{"n":2}\n');
    await drop(d, 'd.jsonl.gz', Buffer.concat([gzipSync('{"n":3}\n'), gzipSync('{"n":4}\n')])); // two gzip members
    await waitUntil(() => text.length >= 3 && json.length >= 4, 10_000, 'all records');
    assert.deepEqual(text.sort(), ['plain', 'second', 'zipped']);
    assert.deepEqual(json.map((r) => r.n).sort(), [1, 2, 3, 4]);
  } finally {
    await ssc.stop();
    await d.cleanup();
  }
});

test('Avro container files, plain, deflate and gzipped', async () => {
  const d = await dirs();
  const ssc = context();
  const out = collect(fileStream<{ ip: string; bytes: number }>(ssc, d.dir, { format: 'avro', settleMs: 0 }).map((r) => `${r.ip}=${r.bytes}`));
  try {
    await ssc.start();
    const many = Array.from({ length: 100 }, (_, i) => ({ ip: `10.0.0.${i}`, bytes: i }));
    await drop(d, 'a.avro', await avroFile(many));
    await drop(d, 'b.avro', await avroFile([{ ip: 'deflate', bytes: 1 }], 'deflate'));
    await drop(d, 'c.avro.gz', gzipSync(await avroFile([{ ip: 'gz', bytes: 2 }])));
    await waitUntil(() => out.length >= 102, 10_000, '102 Avro records');
    assert.deepEqual(out.slice().sort(), [...many.map((r) => `${r.ip}=${r.bytes}`), 'deflate=1', 'gz=2'].sort());
  } finally {
    await ssc.stop();
    await d.cleanup();
  }
});

test('a custom decoder gets the decompressed bytes and the file info', async () => {
  const d = await dirs();
  const ssc = context();
  const out = collect(fileStream(ssc, d.dir, { format: (bytes, file) => [`${file.relativePath}:${bytes.length}`], settleMs: 0 }));
  try {
    await ssc.start();
    await drop(d, 'x.bin', gzipSync(Buffer.alloc(1000)));
    await waitUntil(() => out.length >= 1, 10_000, 'one record');
    assert.deepEqual(out, ['x.bin:1000']);
  } finally {
    await ssc.stop();
    await d.cleanup();
  }
});

test('undecodable files are reported and skipped; with errorDir they are moved there', async () => {
  const d = await dirs();
  const errorDir = join(d.root, 'errors');
  const ssc = context();
  const text = textFileStream(ssc, d.dir, { settleMs: 0, filter: /\.txt/ });
  const json = fileStream(ssc, d.dir, { format: 'jsonl', settleMs: 0, filter: /\.jsonl/, errorDir });
  const avroIn = fileStream(ssc, d.dir, { format: 'avro', settleMs: 0, filter: /\.avro/, maxFileBytes: 10_000 });
  const got = collect(ssc.union(text, json.map((x) => JSON.stringify(x)), avroIn.map((x) => JSON.stringify(x))));
  const reports = listenForReports(ssc);
  try {
    await ssc.start();
    await drop(d, 'bad.txt', Buffer.from([0x61, 0xff, 0x0a]));
    await drop(d, 'bad.jsonl', '{"ok":1}\n{oops\n');
    await drop(d, 'bad.txt.gz', Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    await drop(d, 'bad.avro', 'not avro at all');
    await drop(d, 'big.avro', Buffer.alloc(20_000));
    await drop(d, 'good.txt', 'fine\n');
    await waitUntil(() => reports.badRecords.length >= 5 && got.length >= 1, 10_000, 'five bad-file reports', () => JSON.stringify(reports));
    await sleep(300);
    assert.deepEqual(got, ['fine']);
    const reasons = reports.badRecords.join('\n');
    for (const expected of ['bad.txt is not valid UTF-8', 'bad.jsonl line 2 is not JSON', 'bad.txt.gz is not valid gzip', 'bad.avro is not a valid Avro', 'maxFileBytes']) {
      assert.ok(reasons.includes(expected), `a report mentions "${expected}":\n${reasons}`);
    }
    assert.equal(text.stats.badFiles + json.stats.badFiles + avroIn.stats.badFiles, 5);
    await waitUntil(() => existsSync(join(errorDir, 'bad.jsonl')), 5000, 'bad.jsonl in the error directory');
    assert.ok(!existsSync(join(d.dir, 'bad.jsonl')));
    assert.ok(existsSync(join(d.dir, 'bad.txt')), 'without errorDir a bad file stays where it is');
    await drop(d, 'later.txt', 'later\n');
    await waitUntil(() => got.includes('later'), 10_000, 'a good file after the bad ones');
    assert.equal(reports.badRecords.length, 5, 'bad files are reported once');
  } finally {
    await ssc.stop();
    await d.cleanup();
  }
});
