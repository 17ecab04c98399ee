// LineDecoder: byte-level line splitting, checked against a brute-force twin for every way of
// cutting the input into chunks, plus over-long and invalid lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineDecoder } from '@sluice/socket';

interface Decoded {
  lines: string[];
  bad: string[];
}

function decode(chunks: readonly Buffer[], maxLineBytes = 1024 * 1024): Decoded {
  const d = new LineDecoder(maxLineBytes);
  const res: Decoded = { lines: [], bad: [] };
  const out = { record: (l: string) => void res.lines.push(l), bad: (_: string, e: { code: string }) => void res.bad.push(e.code) };
  for (const c of chunks) d.push(c, out);
  d.end(out);
  return res;
}

/** The twin: split the whole input on \n, drop a final \r, classify each line. */
function twin(input: Buffer, maxLineBytes: number): Decoded {
  const res: Decoded = { lines: [], bad: [] };
  let start = 0;
  while (start < input.length) {
    let nl = input.indexOf(0x0a, start);
    if (nl === -1) nl = input.length;
    let end = nl;
    if (end > start && input[end - 1] === 0x0d) end--;
    const line = input.subarray(start, end);
    if (line.length > maxLineBytes) res.bad.push('SOCKET_LINE_TOO_LONG');
    else if (!Buffer.from(line.toString('utf8'), 'utf8').equals(line)) res.bad.push('SOCKET_INVALID_UTF8');
    else res.lines.push(line.toString('utf8'));
    start = nl + 1;
  }
  return res;
}

function cut(input: Buffer, points: number[]): Buffer[] {
  const sorted = [...new Set(points.map((p) => p % (input.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const p of [...sorted, input.length]) {
    if (p > prev) chunks.push(input.subarray(prev, p));
    prev = p;
  }
  return chunks;
}

test('splits lines across arbitrary chunk boundaries like the twin (property)', () => {
  const byte = fc.oneof(fc.constantFrom(0x0a, 0x0d, 0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xff, 0xf0, 0x9f), fc.integer({ min: 0, max: 255 }));
  fc.assert(
    fc.property(fc.array(byte, { maxLength: 200 }), fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 12 }), (bytes, points, max) => {
      const input = Buffer.from(bytes);
      assert.deepEqual(decode(cut(input, points), max), twin(input, max));
    }),
    { numRuns: 2000 },
  );
});

test('strips \\n and \\r\\n, keeps empty lines, emits a last unterminated line at end', () => {
  assert.deepEqual(decode([Buffer.from('a\r\nb\n\nc')]).lines, ['a', 'b', '', 'c']);
});

test('multi-byte characters split across chunks decode intact', () => {
  const s = Buffer.from('héllo €uro 🎉\n', 'utf8');
  for (let i = 0; i <= s.length; i++) assert.deepEqual(decode([s.subarray(0, i), s.subarray(i)]).lines, ['héllo €uro 🎉']);
});

test('an over-long line is skipped and reported once; the next line arrives', () => {
  const long = 'x'.repeat(5000);
  const input = Buffer.from(`ok1\n${long}\nok2\n`);
  const chunks = cut(input, [3, 100, 1000, 2000, 4000, 5003]);
  assert.deepEqual(decode(chunks, 1000), { lines: ['ok1', 'ok2'], bad: ['SOCKET_LINE_TOO_LONG'] });
});

test('memory stays bounded while discarding a huge line', () => {
  const d = new LineDecoder(1000);
  const res: string[] = [];
  const bad: string[] = [];
  const out = { record: (l: string) => void res.push(l), bad: (r: string) => void bad.push(r) };
  for (let i = 0; i < 1000; i++) d.push(Buffer.alloc(64 * 1024, 0x61), out); // 64 MB, no newline
  d.push(Buffer.from('\nafter\n'), out);
  assert.deepEqual(res, ['after']);
  assert.equal(bad.length, 1);
  assert.ok((d as unknown as { partBytes: number }).partBytes === 0);
});

test('invalid UTF-8 lines are skipped and reported; valid neighbours arrive', () => {
  const input = Buffer.concat([Buffer.from('a\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('b\n'), Buffer.from([0xc3, 0x28, 0x0a])]);
  assert.deepEqual(decode([input]), { lines: ['a', 'b'], bad: ['SOCKET_INVALID_UTF8', 'SOCKET_INVALID_UTF8'] });
});
