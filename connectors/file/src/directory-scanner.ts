/**
 * Lists a watched directory (and, when recursive, its non-hidden sub-directories). Names are
 * listed every batch; a file is stat-ed only when the caller asks (`needStat`), so a directory full
 * of already-processed files costs one readdir per batch, not one stat per file.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isIgnoredName } from './file-rules.js';
import type { FileRef } from './file-tracker.js';

export interface ScanResult {
  /** Relative paths (with `/`) of every non-ignored regular-looking entry found. */
  names: Set<string>;
  /** The stat-ed files among them. */
  files: FileRef[];
}

const STAT_CONCURRENCY = 64;

/**
 * Scans `dir`. `needStat(rel)` says which names to stat. Entries that vanish between listing and
 * stat are dropped. Rejects with the readdir error of `dir` itself (e.g. ENOENT); errors of
 * sub-directories are ignored (they may be removed while scanning).
 */
export async function scanDirectory(dir: string, recursive: boolean, needStat: (rel: string) => boolean): Promise<ScanResult> {
  const names = new Set<string>();
  const toStat: string[] = [];
  const walk = async (rel: string, root: boolean): Promise<void> => {
    let entries;
    try {
      entries = await readdir(rel === '' ? dir : join(dir, rel), { withFileTypes: true });
    } catch (e) {
      if (root) throw e;
      return;
    }
    for (const ent of entries) {
      if (isIgnoredName(ent.name)) continue;
      const child = rel === '' ? ent.name : `${rel}/${ent.name}`;
      if (ent.isDirectory()) {
        if (recursive) await walk(child, false);
      } else if (ent.isFile() || ent.isSymbolicLink()) {
        names.add(child);
        if (needStat(child)) toStat.push(child);
      }
    }
  };
  await walk('', true);
  const files: FileRef[] = [];
  for (let i = 0; i < toStat.length; i += STAT_CONCURRENCY) {
    const stats = await Promise.all(toStat.slice(i, i + STAT_CONCURRENCY).map((rel) => stat(join(dir, rel)).then((s) => [rel, s] as const, () => undefined)));
    for (const r of stats) if (r !== undefined && r[1].isFile()) files.push({ path: r[0], size: r[1].size, mtimeMs: Math.floor(r[1].mtimeMs) });
  }
  return { names, files };
}
