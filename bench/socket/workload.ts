/**
 * The benchmark's input: Apache-style log lines (about 90 bytes each), one in ten containing
 * "error", repeated to the requested count. Deterministic, so every run and every consumer sees
 * the same bytes and the expected count of matching lines is known.
 */

export const PATTERN = 'error';
const DISTINCT = 1000;

/** One block of DISTINCT lines, newline-terminated, and how many of them match. */
export function lineBlock(): { block: Buffer; matches: number } {
  const lines: string[] = [];
  let matches = 0;
  for (let i = 0; i < DISTINCT; i++) {
    const endpoint = i % 10 === 7 ? '/error.html' : `/products/item-${i}`;
    if (endpoint.includes(PATTERN)) matches++;
    lines.push(`10.0.${i % 7}.${i % 251} - - [21/Jul/2014:09:55:27 +0000] "GET ${endpoint} HTTP/1.1" ${i % 10 === 7 ? 404 : 200} ${1000 + i}`);
  }
  return { block: Buffer.from(lines.join('\n') + '\n'), matches };
}

/** Blocks to send for at least `lines` lines, and the resulting line and match counts. */
export function plan(lines: number): { blocks: number; lines: number; matches: number; bytes: number } {
  const { block, matches } = lineBlock();
  const blocks = Math.ceil(lines / DISTINCT);
  return { blocks, lines: blocks * DISTINCT, matches: blocks * matches, bytes: blocks * block.length };
}
