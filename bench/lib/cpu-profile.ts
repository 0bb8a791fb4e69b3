// Summarises a V8 .cpuprofile (node --cpu-prof): self time per area (a package under
// node_modules, a source file of mesh-soak, node's own internals, GC, idle) and the
// functions with the most self time, so RESULTS.md can say where a tick's time goes.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Wall time the profile covers, ms. */
  totalMs: number;
  /** Busy (not idle) ms. */
  busyMs: number;
  areas: Array<{ area: string; ms: number }>;
  functions: Array<{ fn: string; area: string; ms: number }>;
}

/** Where a frame's code lives, for grouping. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  const own = /\/dist\/((?:src|bench|simulator)\/.+)$/.exec(url);
  if (own?.[1]) return own[1];
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

export function summarise(profile: Profile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const areas = new Map<string, number>();
  const fns = new Map<string, { area: string; us: number }>();
  let idle = 0;
  for (const [id, us] of self) {
    const f = byId.get(id)?.callFrame;
    if (!f) continue;
    const area = areaOf(f.url, f.functionName);
    if (area === '(idle)') idle += us;
    areas.set(area, (areas.get(area) ?? 0) + us);
    const key = `${f.functionName || '(anonymous)'} ${area}:${f.lineNumber + 1}`;
    const e = fns.get(key) ?? { area, us: 0 };
    e.us += us;
    fns.set(key, e);
  }
  const totalUs = profile.endTime - profile.startTime;
  return {
    totalMs: totalUs / 1000,
    busyMs: (totalUs - idle) / 1000,
    areas: [...areas].filter(([a]) => a !== '(idle)').map(([area, us]) => ({ area, ms: us / 1000 })).sort((a, b) => b.ms - a.ms).slice(0, top),
    functions: [...fns].filter(([, e]) => e.area !== '(idle)').map(([fn, e]) => ({ fn, area: e.area, ms: e.us / 1000 })).sort((a, b) => b.ms - a.ms).slice(0, top),
  };
}

/** The summary of the one .cpuprofile in dir (node writes it on exit); undefined when none. */
export async function summariseDir(dir: string, top = 15): Promise<ProfileSummary | undefined> {
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.cpuprofile'));
  const first = files[0];
  if (!first) return undefined;
  return summarise(JSON.parse(await readFile(join(dir, first), 'utf8')) as Profile, top);
}
