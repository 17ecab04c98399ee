/**
 * Which names a file stream considers, Spark's rules: names starting with `.` or `_` are hidden
 * (temporary files of writers, `_SUCCESS` markers, Sluice's own `.tmp` directories), and so are
 * names ending in `._COPYING_` (HDFS's `put` in progress). Sub-directories are only entered when
 * the stream is recursive, and hidden ones never.
 */
import { basename } from 'node:path';

/** True when a file or directory name must be ignored. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_') || name.endsWith('._COPYING_');
}

/** A user filter: a RegExp tested on the file name, or a function of the absolute path. */
export type FileFilter = RegExp | ((path: string) => boolean);

/** True when `absPath` passes the name rules and the user's filter. */
export function accepts(absPath: string, filter: FileFilter | undefined): boolean {
  const name = basename(absPath);
  if (isIgnoredName(name)) return false;
  if (filter === undefined) return true;
  if (filter instanceof RegExp) {
    filter.lastIndex = 0;
    return filter.test(name);
  }
  return filter(absPath);
}
