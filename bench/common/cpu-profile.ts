/**
 * Sums the self time of a V8 .cpuprofile (node --cpu-prof) by area: `category(url)` names the area
 * of a frame's source file; GC, idle and program time are their own areas. Native frames (Buffer,
 * JSON, string built-ins) count for the nearest caller that has a source file.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface ProfileSummary {
  totalMs: number;
  categories: Array<{ category: string; ms: number; pct: number }>;
  functions: Array<{ name: string; where: string; ms: number; pct: number }>;
}

export function summarizeProfile(path: string, category: (url: string) => string, top = 12): ProfileSummary {
  const prof = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000));
  const cats = new Map<string, number>();
  const fns = new Map<string, { name: string; where: string; ms: number }>();
  let totalMs = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName;
    let cat: string;
    if (name === '(garbage collector)' || name === '(idle)' || name === '(program)') cat = name;
    else {
      let cur: ProfileNode | undefined = n;
      while (cur && !cur.callFrame.url) cur = byId.get(parent.get(cur.id) ?? -1);
      cat = cur ? category(cur.callFrame.url) : 'other';
    }
    cats.set(cat, (cats.get(cat) ?? 0) + ms);
    const where = n.callFrame.url ? `${n.callFrame.url.replace(/^.*\/(node_modules|work\/main)\//, '')}:${n.callFrame.lineNumber + 1}` : '(native)';
    const key = `${name}@${where}`;
    const f = fns.get(key) ?? { name: name || '(anonymous)', where, ms: 0 };
    f.ms += ms;
    fns.set(key, f);
    totalMs += ms;
  }
  const pct = (ms: number): number => (100 * ms) / Math.max(1, totalMs);
  return {
    totalMs,
    categories: [...cats].sort((a, b) => b[1] - a[1]).map(([c, ms]) => ({ category: c, ms, pct: pct(ms) })),
    functions: [...fns.values()].sort((a, b) => b.ms - a.ms).slice(0, top).map((f) => ({ ...f, pct: pct(f.ms) })),
  };
}
