/**
 * The assertions every stateful chaos test ends with: the outputs equal an uninterrupted run over
 * the same batches (verify.ts), and the input's delivery guarantee holds for what was sent.
 */
import assert from 'node:assert/strict';
import { delivery, verifyStateful, type Verified } from './verify.js';

export type Guarantee = 'exactly-once' | 'at-least-once' | 'at-most-once';

/** Asserts all that and prints one line of figures; resolves with the batches for further checks. */
export async function checkRun(kind: string, out: string, sent: readonly string[], guarantee: Guarantee, kills: string): Promise<Verified['batches']> {
  const { batches, problems } = await verifyStateful(out);
  assert.deepEqual(problems.slice(0, 10), [], `${kind}: ${problems.length} output(s) differ from an uninterrupted run`);
  const { duplicated, lost } = delivery(batches, sent);
  if (guarantee !== 'at-most-once') assert.deepEqual(lost.slice(0, 5), [], `${kind}: ${lost.length} of ${sent.length} records lost`);
  if (guarantee !== 'at-least-once') assert.deepEqual(duplicated.slice(0, 5), [], `${kind}: ${duplicated.length} records delivered more than once`);
  console.log(`${kind} chaos: ${batches.length} batches, ${kills}, ${sent.length} records sent, ${duplicated.length} delivered more than once, ${lost.length} lost`);
  return batches;
}
