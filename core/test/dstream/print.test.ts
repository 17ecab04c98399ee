/**
 * print(num): Spark's exact format, byte for byte: 43 dashes, `Time: <ms> ms`, 43 dashes, up to
 * `num` elements one per line, `...` when there were more, then an empty line.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runBatches } from '@sluice/core/testing';
import { SluiceError, type DStream } from '@sluice/core';

const DASHES = '-------------------------------------------';

async function printed<T>(input: ReadonlyArray<readonly T[] | null>, print: (s: DStream<T>) => void): Promise<string> {
  const chunks: string[] = [];
  await runBatches({ input, contextOptions: { printSink: (text) => void chunks.push(text) } }, (s) => {
    print(s);
    return s;
  });
  return chunks.join('');
}

describe('print', () => {
  test('43 dashes', () => {
    assert.equal(DASHES.length, 43);
  });

  test('exact bytes: header, at most num elements, "..." when there were more, an empty line', async () => {
    const out = await printed([[1, 2, 3, 4], [5, 6, 7], [8]], (s) => s.print(3));
    assert.equal(
      out,
      [
        DASHES, 'Time: 1000 ms', DASHES, '1', '2', '3', '...', '',
        DASHES, 'Time: 2000 ms', DASHES, '5', '6', '7', '',
        DASHES, 'Time: 3000 ms', DASHES, '8', '',
      ].join('\n') + '\n',
    );
  });

  test('an empty batch prints its header and the empty line', async () => {
    const out = await printed([[]], (s) => s.print());
    assert.equal(out, `${DASHES}\nTime: 1000 ms\n${DASHES}\n\n`);
  });

  test('prints 10 elements by default', async () => {
    const out = await printed([Array.from({ length: 11 }, (_, i) => i)], (s) => s.print());
    assert.equal(out, `${DASHES}\nTime: 1000 ms\n${DASHES}\n${[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].join('\n')}\n...\n\n`);
  });

  test('exactly num elements prints no "..."', async () => {
    const out = await printed([[1, 2]], (s) => s.print(2));
    assert.equal(out, `${DASHES}\nTime: 1000 ms\n${DASHES}\n1\n2\n\n`);
  });

  test('print(0) prints only "..." for a non-empty batch', async () => {
    const out = await printed([[1], []], (s) => s.print(0));
    assert.equal(out, `${DASHES}\nTime: 1000 ms\n${DASHES}\n...\n\n${DASHES}\nTime: 2000 ms\n${DASHES}\n\n`);
  });

  test('tuples print as (a,b), nested tuples likewise, strings as they are', async () => {
    const out = await printed([['a b']], (s) => {
      s.map((w) => [w, 1] as [string, number]).print();
      s.map((w) => [w, [1, 'x']] as const).print();
    });
    assert.equal(out, `${DASHES}\nTime: 1000 ms\n${DASHES}\n(a b,1)\n\n${DASHES}\nTime: 1000 ms\n${DASHES}\n(a b,(1,x))\n\n`);
  });

  test('a pipeline prints what reduceByKey produced', async () => {
    const out = await printed([['a', 'b', 'a']], (s) =>
      s
        .map((w) => [w, 1] as [string, number])
        .reduceByKey((a, b) => a + b, 1)
        .print(),
    );
    assert.equal(out, `${DASHES}\nTime: 1000 ms\n${DASHES}\n(a,2)\n(b,1)\n\n`);
  });

  test('print(num) rejects a negative or fractional num', async () => {
    await runBatches({ input: [[1]] }, (s) => {
      for (const bad of [-1, 1.5]) {
        assert.throws(() => s.print(bad), (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION' && /num/.test(e.message));
      }
      return s;
    });
  });
});
