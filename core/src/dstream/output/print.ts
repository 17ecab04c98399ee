/** The print() output operation, in Spark's exact format. */
import type { RDD } from '../../rdd/rdd.js';
import type { Time } from '../../time.js';
import { formatElement } from './format.js';

const DASHES = '-'.repeat(43);

/** Spark's print block for one batch: header, up to `num` elements, `...` when there were more, an empty line. */
export function formatPrintBlock(time: Time, firstNumPlusOne: readonly unknown[], num: number): string {
  const lines = [DASHES, `Time: ${time} ms`, DASHES];
  for (const x of firstNumPlusOne.slice(0, num)) lines.push(formatElement(x));
  if (firstNumPlusOne.length > num) lines.push('...');
  lines.push('');
  return lines.join('\n') + '\n';
}

export function printOutput<T>(num: number, write: (text: string) => void): (rdd: RDD<T>, time: Time) => Promise<void> {
  return async (rdd, time) => {
    const first = await rdd.take(num + 1);
    write(formatPrintBlock(time, first, num));
  };
}
