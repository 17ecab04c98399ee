/**
 * Reads a V8 .cpuprofile (node --cpu-prof) of the bundled Sluice job and sums self time per
 * function and per source file. The bundle keeps esbuild's `// path/file.ts` markers, so a bundle
 * line maps back to the source file it came from.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface ProfileSummary {
  totalMs: number;
  functions: Array<{ name: string; file: string; selfMs: number; pct: number }>;
  files: Array<{ file: string; selfMs: number; pct: number }>;
}

/** Bundle line (0-based) -> source file, from esbuild's per-module comments. */
function sourceMapper(bundlePath: string): (url: string, line: number) => string {
  const marks: Array<[number, string]> = [];
  try {
    readFileSync(bundlePath, 'utf8').split('\n').forEach((l, i) => {
      const m = /^\/\/ ((?:\.\.\/)*[\w@./-]+\.ts)$/.exec(l);
      if (m) marks.push([i, m[1]!.replace(/^(\.\.\/)+/, '')]);
    });
  } catch {
    // no bundle: fall back to urls
  }
  return (url, line) => {
    if (!url.endsWith('sluice-job.mjs')) return url.replace(/^node:/, 'node:') || '(native)';
    let file = 'sluice-job.mjs';
    for (const [at, f] of marks) {
      if (at > line) break;
      file = f;
    }
    return file;
  };
}

export function summarizeProfile(profilePath: string, bundlePath: string, top = 15): ProfileSummary {
  const prof = JSON.parse(readFileSync(profilePath, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000));
  const map = sourceMapper(bundlePath);
  const fn = new Map<string, { name: string; file: string; selfMs: number }>();
  const files = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const cf = n.callFrame;
    const file = cf.url ? map(cf.url, cf.lineNumber) : `(${cf.functionName || 'native'})`;
    const name = cf.functionName || '(anonymous)';
    const key = `${name}@${file}:${cf.url ? cf.lineNumber : ''}`;
    const e = fn.get(key) ?? { name, file, selfMs: 0 };
    e.selfMs += ms;
    fn.set(key, e);
    files.set(file, (files.get(file) ?? 0) + ms);
    totalMs += ms;
  }
  const pct = (ms: number): number => (100 * ms) / Math.max(1, totalMs);
  return {
    totalMs,
    functions: [...fn.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top).map((f) => ({ ...f, pct: pct(f.selfMs) })),
    files: [...files].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([file, selfMs]) => ({ file, selfMs, pct: pct(selfMs) })),
  };
}
