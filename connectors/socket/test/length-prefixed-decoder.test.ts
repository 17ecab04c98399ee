// LengthPrefixedDecoder: frames across arbitrary chunk cuts, empty frames, over-long frames skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LengthPrefixedDecoder, encodeFrame } from '@sluice/socket';

function decode(chunks: readonly Buffer[], max: number): { frames: string[]; bad: number } {
  const d = new LengthPrefixedDecoder(max);
  const res = { frames: [] as string[], bad: 0 };
  const out = { record: (b: Buffer) => void res.frames.push(b.toString('hex')), bad: () => void res.bad++ };
  for (const c of chunks) d.push(c, out);
  d.end();
  return res;
}

test('decodes frames cut anywhere; over-long frames are skipped without losing sync (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 10 }), fc.integer({ min: 0, max: 40 }), (payloads, points, max) => {
      const input = Buffer.concat(payloads.map((p) => encodeFrame(p)));
      const cuts = [...new Set(points.map((p) => p % (input.length + 1)))].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let prev = 0;
      for (const p of [...cuts, input.length]) {
        if (p > prev) chunks.push(input.subarray(prev, p));
        prev = p;
      }
      const expected = payloads.filter((p) => p.length <= max).map((p) => Buffer.from(p).toString('hex'));
      assert.deepEqual(decode(chunks, max), { frames: expected, bad: payloads.length - expected.length });
    }),
    { numRuns: 2000 },
  );
});

test('records own their bytes (not views of the chunk)', () => {
  const chunk = encodeFrame(Buffer.from('abc'));
  const d = new LengthPrefixedDecoder(100);
  const frames: Buffer[] = [];
  d.push(chunk, { record: (b) => void frames.push(b), bad: () => {} });
  chunk.fill(0);
  assert.equal(frames[0]!.toString(), 'abc');
});
