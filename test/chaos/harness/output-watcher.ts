/**
 * Why: verify.ts only sees the outputs as the LAST run left them, so a batch that a killed run
 * wrote and a restored run re-ran differently (other records, other state) goes unseen there: the
 * rewrite is self-consistent. This watcher polls the output directory while the kills go on and
 * keeps the first complete version of every `<name>-<t>` directory; at the end each must equal
 * its final version (a re-run of a batch over a replayable or WAL-backed input writes the same),
 * or, for an input that cannot replay, a re-run may only lose records, never add any.
 * It also counts the directories a re-run replaced (another inode), so a run shows the check was
 * exercised.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** 'same': every output re-written equals the first version. 'subset': batch records may only be lost. */
export type RerunRule = 'same' | 'subset';

interface Version {
  ino: number;
  lines: string[];
}

const OUTPUT = /^(batch|totals|mws|window)-(\d+)$/;

/** A complete output directory's lines (sorted) and inode; undefined while absent or incomplete. */
async function readVersion(dir: string): Promise<Version | undefined> {
  try {
    const { ino } = await stat(dir);
    const files = await readdir(dir);
    if (!files.includes('_SUCCESS')) return undefined;
    const lines: string[] = [];
    for (const f of files.filter((x) => x.startsWith('part-'))) lines.push(...(await readFile(join(dir, f), 'utf8')).split('\n').filter((l) => l.length > 0));
    // Replaced while we read it: read it again at the next poll.
    if ((await stat(dir)).ino !== ino) return undefined;
    return { ino, lines: lines.sort() };
  } catch {
    return undefined; // replaced (renamed away) while we read it
  }
}

export class OutputWatcher {
  private readonly first = new Map<string, Version>();
  private stopped = false;
  private readonly loop: Promise<void>;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  /** Starts polling `out` every `pollMs` (at most `maxMs` in all). */
  constructor(
    private readonly out: string,
    pollMs = 100,
    maxMs = 600_000,
  ) {
    this.loop = (async () => {
      const deadline = Date.now() + maxMs;
      while (!this.stopped && Date.now() < deadline) {
        await this.poll();
        await new Promise<void>((r) => {
          this.wake = r;
          this.timer = setTimeout(r, pollMs);
        });
      }
    })();
  }

  /** How many output directories have been seen so far. */
  get seen(): number {
    return this.first.size;
  }

  private async poll(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.out);
    } catch {
      return; // not created yet
    }
    for (const n of names) {
      if (this.first.has(n) || !OUTPUT.test(n)) continue;
      const v = await readVersion(join(this.out, n));
      if (v) this.first.set(n, v);
    }
  }

  /** Stops polling (finish() stops it too). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
  }

  /**
   * Stops polling and compares each first version with the final one under `rule`.
   * @returns `rewritten`: directories a re-run replaced; `dropped`: batch records a re-run lost
   * ('subset'); `problems`: one line per difference.
   */
  async finish(rule: RerunRule): Promise<{ seen: number; rewritten: number; dropped: number; problems: string[] }> {
    await this.stop();
    const problems: string[] = [];
    let rewritten = 0;
    let dropped = 0;
    for (const [n, was] of [...this.first].sort(([a], [b]) => a.localeCompare(b))) {
      const now = await readVersion(join(this.out, n));
      if (!now) {
        problems.push(`${n}: written by a run, gone at the end`);
        continue;
      }
      if (now.ino !== was.ino) rewritten++;
      const name = OUTPUT.exec(n)![1];
      if (rule === 'subset' && name !== 'batch') continue; // state follows what the batches held; verify.ts checks that
      const added = now.lines.filter((l) => !was.lines.includes(l));
      const lost = was.lines.filter((l) => !now.lines.includes(l));
      if (rule === 'subset') dropped += lost.length;
      if (added.length === 0 && (rule === 'subset' || lost.length === 0)) continue;
      problems.push(
        `${n}: a re-run wrote ${now.lines.length} lines where a killed run had written ${was.lines.length}; ` +
          `only in the re-run ${JSON.stringify(added.slice(0, 5))}, only in the first ${JSON.stringify(lost.slice(0, 5))}`,
      );
    }
    return { seen: this.first.size, rewritten, dropped, problems };
  }
}

/** Asserts the re-runs under `rule` (see OutputWatcher.finish) and prints one line of figures. */
export async function assertReruns(kind: string, watcher: OutputWatcher, rule: RerunRule): Promise<void> {
  const { seen, rewritten, dropped, problems } = await watcher.finish(rule);
  assert.deepEqual(problems.slice(0, 10), [], `${kind}: ${problems.length} output(s) a re-run wrote differently than the killed run`);
  console.log(`${kind} re-runs: ${rewritten} of ${seen} output directories rewritten after a kill, none differently${rule === 'subset' ? ` but for ${dropped} records lost` : ''}`);
}
