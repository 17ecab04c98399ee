/** The data of the kill-during-compaction test, shared by the app and the test's brute force. */

/** Queue item k: every key once for k = 0, else 5% of the keys, spread over all of them. */
export function bigStateItem(k: number, keys: number): number[] {
  if (k === 0) return Array.from({ length: keys }, (_, i) => i);
  return Array.from({ length: Math.floor(keys / 20) }, (_, i) => (i * 7919 + k * 104_729) % keys);
}

/** One key's part of the state checksum: sensitive to which key has which count. */
export function stateChecksumTerm(id: number, count: number): number {
  return count * ((id % 997) + 1);
}
