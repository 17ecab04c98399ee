// The Netty pack codec and the bounded Avro reader, table-driven, without peers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeNettyPack, NettyPackDecoder } from '@sluice/flume';
import { AvroReader, encodeLong, encodeString } from '../src/avro-binary.js';

describe('NettyPackDecoder', () => {
  it('decodes packs split at any byte boundary, several per chunk', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 10 }), (packs, cuts) => {
        const wire = Buffer.concat(packs.map((frames, i) => encodeNettyPack(i + 70_000, frames.map((f) => Buffer.from(f)))));
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const d = new NettyPackDecoder();
        const got = [];
        let prev = 0;
        for (const p of [...points, wire.length]) {
          got.push(...d.push(wire.subarray(prev, p)));
          prev = p;
        }
        assert.equal(got.length, packs.length);
        got.forEach((p, i) => {
          assert.equal(p.serial, i + 70_000); // 32-bit serials kept as they are
          assert.deepEqual(p.frames.map((f) => [...f]), packs[i]!.filter((f) => f.length > 0).map((f) => [...f])); // empty frames are dropped
        });
        assert.ok(d.idle);
      }),
    );
  });

  const header = (serial: number, count: number, ...lens: number[]) => {
    const b = Buffer.alloc(8 + 4 * lens.length);
    b.writeInt32BE(serial, 0);
    b.writeInt32BE(count, 4);
    lens.forEach((l, i) => b.writeInt32BE(l, 8 + 4 * i));
    return b;
  };
  const cases: Array<[string, Buffer, RegExp]> = [
    ['negative frame count', header(1, -1), /FLUME_BAD_FRAME|-1 frames/],
    ['zero frames', header(1, 0), /0 frames/],
    ['too many frames', header(1, 1_000_000), /exceeds 10/],
    ['negative frame length', header(1, 1, -5), /negative length/],
    ['frame over the byte cap, before its bytes arrive', header(1, 1, 2_000), /more than 1024 bytes/],
    ['frames summing over the cap', Buffer.concat([header(1, 2, 1000), Buffer.alloc(1000), header(0, 0, 100).subarray(8)]), /more than 1024 bytes/],
  ];
  for (const [name, bytes, message] of cases) {
    it(`rejects ${name}`, () => {
      const d = new NettyPackDecoder({ maxPackBytes: 1024, maxFrames: 10 });
      assert.throws(() => d.push(bytes), message);
    });
  }

  it('never buffers more than the cap plus one chunk', () => {
    const d = new NettyPackDecoder({ maxPackBytes: 1024 });
    d.push(header(1, 1, 1000));
    d.push(Buffer.alloc(500));
    assert.equal(d.idle, false);
    assert.ok(d.bufferedBytes <= 1024 + 8);
  });
});

describe('AvroReader', () => {
  it('reads what the writers wrote (longs, strings)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 50), max: 2 ** 50 }), fc.string(), (n, s) => {
        const r = new AvroReader(Buffer.concat([encodeLong(n), encodeString(s)]));
        assert.equal(r.long(), n);
        assert.equal(r.string(), s);
        assert.equal(r.remaining, 0);
      }),
    );
  });

  it('refuses counts and lengths the remaining bytes cannot hold, without looping', () => {
    assert.throws(() => new AvroReader(Buffer.concat([encodeLong(2 ** 40), Buffer.alloc(10)])).stringMap(), /cannot fit/);
    assert.throws(() => new AvroReader(Buffer.concat([encodeLong(100), Buffer.from('abc')])).bytes(), /only 3 left/);
    assert.throws(() => new AvroReader(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).long(), /longer than 8 bytes/);
    assert.throws(() => new AvroReader(Buffer.from([0x80])).long(), /truncated/);
    const tooMany = () => new Error('too many');
    assert.throws(() => new AvroReader(Buffer.concat([encodeLong(5), Buffer.alloc(20)])).blocks(2, 4, () => undefined, tooMany), /too many/);
  });

  it('keeps a __proto__ header as a header', () => {
    const buf = Buffer.concat([encodeLong(1), encodeString('__proto__'), encodeString('x'), encodeLong(0), encodeLong(2), Buffer.from('hi')]);
    const e = new AvroReader(buf).flumeEvent();
    assert.deepEqual(Object.keys(e.headers), ['__proto__']);
    assert.equal(e.headers['__proto__'], 'x');
    assert.equal(Object.getPrototypeOf(e.headers), Object.prototype);
  });
});
