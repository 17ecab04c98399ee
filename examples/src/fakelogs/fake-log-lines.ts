/**
 * Deterministic fake Apache access log lines (a seeded generator), like the sample logs the book's
 * `fakelogs.sh` replays: a few busy IP addresses and many quiet ones, mostly 200s with some 404s
 * and 500s on `/error.html`, and content sizes of a few hundred bytes to a few hundred KB.
 */
import { formatLogLine, type ApacheAccessLog } from '../apache-access-log.js';

const ENDPOINTS = ['/index.html', '/home.html', '/about.html', '/products/widget', '/products/gadget', '/api/v1/items', '/api/v1/cart', '/images/logo.png', '/search?q=sluice', '/error.html'];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'PUT'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** mulberry32: a small seeded PRNG, good enough for fake data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Apache's `%t` format: `21/Jul/2014:09:55:27 +0000` (UTC). */
export function apacheTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** Makes fake log lines; the same seed gives the same lines (timestamps come from `now`). */
export class FakeLogLines {
  private readonly random: () => number;

  constructor(seed = 42, private readonly now: () => number = Date.now) {
    this.random = rng(seed);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** One entry. Roughly: 8 busy IPs get 60% of requests; `/error.html` answers 404 or 500. */
  nextEntry(): ApacheAccessLog {
    const busy = this.random() < 0.6;
    const ipAddress = busy ? `10.0.0.${1 + Math.floor(this.random() * 8)}` : `192.168.${Math.floor(this.random() * 4)}.${1 + Math.floor(this.random() * 250)}`;
    const endpoint = this.pick(ENDPOINTS);
    const failed = endpoint === '/error.html';
    const responseCode = failed ? (this.random() < 0.7 ? 404 : 500) : this.random() < 0.03 ? 304 : 200;
    const contentSize = responseCode === 304 ? 0 : Math.floor(200 + this.random() ** 3 * 300_000);
    return { ipAddress, clientIdentd: '-', userID: '-', dateTimeString: apacheTime(this.now()), method: this.pick(METHODS), endpoint, protocol: 'HTTP/1.1', responseCode, contentSize };
  }

  next(): string {
    return formatLogLine(this.nextEntry());
  }

  take(n: number): string[] {
    return Array.from({ length: n }, () => this.next());
  }
}
