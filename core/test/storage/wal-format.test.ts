import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { crc32, crc32Portable } from '../../src/storage/crc32.js';
import {
  findNextFrame,
  frameHeader,
  isTornTail,
  readFrame,
  scanSegment,
  segmentHeader,
  checkSegmentHeader,
  FRAME_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
} from '../../src/storage/wal-format.js';
import { parseSegmentName, segmentName } from '../../src/storage/wal-segment.js';

test('crc32: the standard check value; the portable table agrees with zlib, also when continued', () => {
  const check = Buffer.from('123456789');
  assert.equal(crc32(check), 0xcbf43926);
  assert.equal(crc32Portable(check), 0xcbf43926);
  assert.equal(crc32Portable(Buffer.alloc(0)), 0);
  for (const n of [1, 7, 64, 1000]) {
    const b = randomBytes(n);
    if (typeof (zlib as { crc32?: unknown }).crc32 === 'function') assert.equal(crc32Portable(b), zlib.crc32(b));
    assert.equal(crc32Portable(b.subarray(3), crc32Portable(b.subarray(0, 3))), crc32(b));
  }
});

/** A segment of frames: [writeId, lastOfWrite, payload text][] */
function segment(frames: [number, boolean, string][]): Buffer {
  const parts = [segmentHeader()];
  frames.forEach(([writeId, last, text], i) => {
    const payload = Buffer.from(text);
    parts.push(frameHeader(payload, 100 + i, writeId, last), payload);
  });
  return Buffer.concat(parts);
}

test('frames round-trip and every single flipped byte is detected', () => {
  const buf = segment([[7, true, 'hello'], [8, true, 'world!']]);
  const scan = scanSegment(buf);
  assert.equal(scan.bad, undefined);
  assert.deepEqual(
    scan.frames.map((f) => [f.offset, f.end, f.writeId, f.lastOfWrite, f.time, f.payload.toString()]),
    [
      [SEGMENT_HEADER_BYTES, SEGMENT_HEADER_BYTES + FRAME_HEADER_BYTES + 5, 7, true, 100, 'hello'],
      [SEGMENT_HEADER_BYTES + FRAME_HEADER_BYTES + 5, buf.length, 8, true, 101, 'world!'],
    ],
  );
  for (let i = SEGMENT_HEADER_BYTES; i < SEGMENT_HEADER_BYTES + FRAME_HEADER_BYTES + 5; i++) {
    const bad = Buffer.from(buf);
    bad[i]! ^= 1;
    assert.ok('error' in readFrame(bad, SEGMENT_HEADER_BYTES), `flip at ${i} went unnoticed`);
  }
});

test('findNextFrame resynchronises past garbage and finds nothing in noise', () => {
  const buf = segment([[1, true, 'a'], [2, true, 'b']]);
  const second = scanSegment(buf).frames[1]!;
  const noisy = Buffer.concat([buf.subarray(0, second.offset), randomBytes(300), buf.subarray(second.offset)]);
  assert.equal(findNextFrame(noisy, SEGMENT_HEADER_BYTES + 1)?.payload.toString(), 'b');
  assert.equal(findNextFrame(randomBytes(20_000), 0), undefined);
  assert.equal(findNextFrame(Buffer.alloc(20_000), 0), undefined);
});

test('isTornTail: only holes inside the one write in progress at the end count as torn', () => {
  const torn = (frames: [number, boolean, string][], holeAt: number): boolean => {
    const buf = segment(frames);
    const f = scanSegment(buf).frames[holeAt]!;
    buf.fill(0, f.offset, f.end);
    return isTornTail(scanSegment(buf));
  };
  // write 2 = frames 1..3; hole in frame 2, frame 3 of the same write follows
  assert.equal(torn([[1, true, 'a'], [2, false, 'b'], [2, false, 'c'], [2, true, 'd']], 2), true);
  // hole at the first frame of write 2
  assert.equal(torn([[1, true, 'a'], [2, false, 'b'], [2, true, 'c']], 1), true);
  // hole in write 1 (complete before write 2 started): corruption
  assert.equal(torn([[1, false, 'a'], [1, true, 'b'], [2, true, 'c']], 1), false);
  // hole in write 2, but write 3 follows: corruption
  assert.equal(torn([[1, true, 'a'], [2, true, 'b'], [3, true, 'c']], 1), false);
  // nothing after the hole
  assert.equal(torn([[1, true, 'a'], [2, true, 'b']], 1), true);
});

test('segment headers and names', () => {
  assert.equal(checkSegmentHeader(segmentHeader()), 'ok');
  assert.equal(checkSegmentHeader(segmentHeader().subarray(0, 5)), 'torn');
  assert.equal(checkSegmentHeader(Buffer.alloc(8)), 'torn');
  assert.match(checkSegmentHeader(Buffer.from('SLWAL\x09\x00\x00', 'latin1')), /version 9/);
  assert.equal(segmentName(42, 1_700_000_000_123), 'log-000000000042-1700000000123');
  assert.deepEqual(parseSegmentName('log-000000000042-1700000000123'), { seq: 42, startMs: 1_700_000_000_123 });
  assert.equal(parseSegmentName('log-42-1'), undefined);
  assert.equal(parseSegmentName('checkpoint-1'), undefined);
  assert.ok(segmentName(9, 5) < segmentName(10, 1));
});
