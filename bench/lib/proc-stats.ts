// A process's memory and CPU as Linux reports them: VmRSS from /proc/PID/status and
// utime+stime (clock ticks) from /proc/PID/stat. The benchmarks sample the daemon child
// with these rather than asking it, so the measurement costs the daemon nothing.

import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second (USER_HZ), for utime/stime; 100 on nearly every Linux. */
export const CLOCK_TICKS = ((): number => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** Resident set size in bytes. */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** User plus system CPU time consumed so far, in seconds. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; the fields after its ')' are fixed.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): utime is field 14, stime field 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return (utime + stime) / CLOCK_TICKS;
}

export interface ProcSample {
  at: number;
  rss: number;
  cpuS: number;
}

export async function sample(pid: number): Promise<ProcSample> {
  const [rss, cpuS] = await Promise.all([rssBytes(pid), cpuSeconds(pid)]);
  return { at: Date.now(), rss, cpuS };
}

export const MB = 1024 * 1024;
