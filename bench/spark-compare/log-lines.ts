/**
 * The benchmark's input: fake Apache access log lines (combined log format), generated from a
 * seed so every run and both engines see the same bytes. Each line ends with its creation time in
 * epoch milliseconds (13 digits), stamped by the line server when it sends the line:
 *
 *   10.0.12.7 - - [10/Oct/2025:13:55:36 +0000] "GET /products/item?id=4821 HTTP/1.1" 200 5123 "-" "Mozilla/5.0 (X11; Linux x86_64)" 1760104536123
 *
 * Keys: the client IP, one of exactly {@link DISTINCT_IPS} addresses; every run of
 * DISTINCT_IPS consecutive lines of the ring holds each address once (a seeded permutation), so
 * updateStateByKey reaches its 100,000 keys after 100,000 lines.
 * Errors: about 1 line in 16 has "error" in its path; no other field contains it.
 * (examples/ has no generator yet; this one is the bench's own, see README in this folder.)
 */

export const DISTINCT_IPS = 100_000;
/** Lines in the ring the server cycles through (two permutations of the IPs). */
export const RING_LINES = 2 * DISTINCT_IPS;
/** Width of the creation-time field at the end of every line. */
export const STAMP_DIGITS = 13;

const PATHS = [
  '/', '/index.html', '/about', '/products', '/products/item?id=', '/cart', '/checkout', '/login',
  '/static/app.js', '/static/style.css', '/images/logo.png', '/api/v1/orders', '/api/v1/users/', '/search?q=',
];
const ERROR_PATHS = ['/error.html', '/api/v1/error-report', '/cgi-bin/error.cgi'];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'HEAD'];
const STATUSES = [200, 200, 200, 200, 200, 200, 301, 304, 404, 500];
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64)',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)',
  'curl/8.5.0',
  'Googlebot/2.1 (+http://www.google.com/bot.html)',
];
const REFERRERS = ['-', '-', '-', 'https://www.example.com/', 'https://search.example.org/?q=shoes'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A small, fast, seeded PRNG (mulberry32). */
export function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
}

export function ipOf(index: number): string {
  return `10.${index >> 16}.${(index >> 8) & 255}.${index & 255}`;
}

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** The `[dd/Mon/yyyy:HH:mm:ss +0000]` field for a synthetic time (seconds since the epoch). */
function clfDate(sec: number): string {
  const d = new Date(sec * 1000);
  return `[${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000]`;
}

export interface Ring {
  /** All lines, each ending with STAMP_DIGITS zeros (the creation time placeholder) and `\n`. */
  bytes: Buffer;
  /** Start offset of line i; `starts[lines]` is the end of the ring. */
  starts: Uint32Array;
  lines: number;
  /** How many lines contain "error". */
  errorLines: number;
}

/** Generates the ring of lines from `seed` (deterministic). */
export function makeRing(seed = 7): Ring {
  const r = rng(seed);
  const parts: string[] = [];
  let errorLines = 0;
  let clock = Date.UTC(2025, 9, 10, 13, 0, 0) / 1000;
  const placeholder = '0'.repeat(STAMP_DIGITS);
  for (let round = 0; round < RING_LINES / DISTINCT_IPS; round++) {
    const perm = Uint32Array.from({ length: DISTINCT_IPS }, (_, i) => i);
    for (let i = perm.length - 1; i > 0; i--) {
      const j = r(i + 1);
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    for (let i = 0; i < DISTINCT_IPS; i++) {
      if (r(50) === 0) clock++;
      const isError = r(16) === 0;
      if (isError) errorLines++;
      let path = isError ? ERROR_PATHS[r(ERROR_PATHS.length)]! : PATHS[r(PATHS.length)]!;
      if (path.endsWith('=') || path.endsWith('/')) path += String(r(10_000));
      const status = isError ? 500 : STATUSES[r(STATUSES.length)]!;
      const size = status === 304 ? 0 : 200 + r(20_000);
      parts.push(
        `${ipOf(perm[i]!)} - - ${clfDate(clock)} "${METHODS[r(METHODS.length)]} ${path} HTTP/1.1" ${status} ${size} "${REFERRERS[r(REFERRERS.length)]}" "${AGENTS[r(AGENTS.length)]}" ${placeholder}\n`,
      );
    }
  }
  const bytes = Buffer.from(parts.join(''), 'latin1');
  const starts = new Uint32Array(parts.length + 1);
  let off = 0;
  for (let i = 0; i < parts.length; i++) {
    starts[i] = off;
    off += parts[i]!.length;
  }
  starts[parts.length] = off;
  return { bytes, starts, lines: parts.length, errorLines };
}

/** The creation time (ms) at the end of a line, as the jobs read it. */
export function createdAt(line: string): number {
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}
