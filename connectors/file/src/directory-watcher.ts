/**
 * Watches the directory with chokidar between batches. Batches still scan the directory, so a
 * missed event loses nothing; the watcher adds what a scan alone cannot see: that a file which
 * was already taken changed since (so it is stat-ed again), and that a file is being written right
 * now (its last change event is recent, so it is left to settle).
 */
import { basename, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { isIgnoredName } from './file-rules.js';

export class DirectoryWatcher {
  private watcher: FSWatcher | undefined;
  /** Relative path -> time of its last add or change event. */
  private readonly events = new Map<string, { added: number; changed: number }>();

  constructor(
    private readonly dir: string,
    private readonly recursive: boolean,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Starts watching (replacing a previous watcher). Resolves once chokidar is ready. */
  start(): Promise<void> {
    void this.close();
    const watcher = watch(this.dir, {
      ignoreInitial: true,
      depth: this.recursive ? undefined : 0,
      // Name rules only (hidden, _-prefixed, ._COPYING_); the user's filter applies at selection.
      ignored: (path: string) => path !== this.dir && isIgnoredName(basename(path)),
      persistent: true,
    });
    this.watcher = watcher;
    const rel = (p: string): string => relative(this.dir, p).split(sep).join('/');
    watcher.on('add', (p) => this.note(rel(p), 'added'));
    watcher.on('change', (p) => this.note(rel(p), 'changed'));
    watcher.on('unlink', (p) => this.events.delete(rel(p)));
    watcher.on('error', (e) => this.onError(e instanceof Error ? e : new Error(String(e))));
    return new Promise((resolve) => {
      watcher.once('ready', () => resolve());
      setTimeout(resolve, 5000).unref();
    });
  }

  /** Time of the last change event of `rel`, if any was seen since it was last forgotten. */
  lastChange(rel: string): number | undefined {
    return this.events.get(rel)?.changed || undefined;
  }

  /** True when `rel` had an add or change event that was not yet consumed. */
  hasEvent(rel: string): boolean {
    return this.events.has(rel);
  }

  /** Relative paths with events. */
  eventPaths(): string[] {
    return [...this.events.keys()];
  }

  /** Forgets the events of `rel` (its current version was handled, or it is gone). */
  consume(rel: string): void {
    this.events.delete(rel);
  }

  async close(): Promise<void> {
    const w = this.watcher;
    this.watcher = undefined;
    await w?.close();
  }

  private note(rel: string, kind: 'added' | 'changed'): void {
    const e = this.events.get(rel) ?? { added: 0, changed: 0 };
    e[kind] = Date.now();
    this.events.set(rel, e);
  }
}
