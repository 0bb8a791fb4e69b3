// How a daemon benchmark reports: a Markdown table on stdout, and the same table appended
// as a dated section, with the machine's facts, to bench/RESULTS.md (appended, not
// rewritten, so quick runs and full runs both stay on record).

import { execFile } from 'node:child_process';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { resultsFile } from './paths.js';

const run = promisify(execFile);

export type Row = Record<string, string | number>;

export function table(rows: readonly Row[]): string {
  const first = rows[0];
  if (!first) return '(no rows)';
  const cols = Object.keys(first);
  const cell = (v: string | number | undefined): string => (typeof v === 'number' ? fmt(v) : (v ?? ''));
  return [
    `| ${cols.join(' | ')} |`,
    `| ${cols.map((c, i) => (i === 0 ? '---' : typeof first[c] === 'number' ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${cols.map((c) => cell(r[c])).join(' | ')} |`),
  ].join('\n');
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toFixed(3);
}

async function sh(cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(cmd, args, { timeout: 10_000 })).stdout.trim();
  } catch (err) {
    return `(${cmd} failed: ${err instanceof Error ? err.message : String(err)})`;
  }
}

export async function machineFacts(): Promise<string> {
  const [nproc, free, date, prom] = await Promise.all([
    sh('nproc', []),
    sh('free', ['-h']),
    sh('date', ['-u']),
    sh('/usr/bin/prometheus', ['--version']),
  ]);
  const total = /^Mem:\s+(\S+)/m.exec(free)?.[1] ?? free;
  return [
    `- date (UTC): ${date}`,
    `- nproc: ${nproc}`,
    `- memory total (free -h): ${total}`,
    `- node: ${process.version}`,
    `- prometheus: ${prom.split('\n')[0] ?? prom}`,
  ].join('\n');
}

export interface Section {
  title: string;
  command: string;
  setup: string[];
  rows: Row[];
  verdicts: string[];
  /** Markdown printed as is after the verdicts (tables, a profile). */
  notes?: string[];
}

/** Prints the section and appends it to bench/RESULTS.md. */
export async function publish(section: Section): Promise<void> {
  const body = [
    `## ${section.title} — ${new Date().toISOString()}`,
    '',
    `\`${section.command}\``,
    '',
    ...section.setup.map((s) => `- ${s}`),
    '',
    table(section.rows),
    '',
    ...section.verdicts.map((v) => `- ${v}`),
    '',
    ...(section.notes ? [...section.notes, ''] : []),
    'Machine:',
    '',
    await machineFacts(),
    '',
    '',
  ].join('\n');
  console.log(body);
  await mkdir(dirname(resultsFile), { recursive: true });
  await appendFile(resultsFile, body);
  console.log(`appended to ${resultsFile}`);
}

/** "met" / "MISSED by X" for a measured value against an upper bound. */
export function verdict(name: string, value: number, limit: number, unit: string): string {
  const v = `${fmt(value)} ${unit}`;
  if (value <= limit) return `${name}: ${v} — target ≤ ${fmt(limit)} ${unit}: met`;
  return `${name}: ${v} — target ≤ ${fmt(limit)} ${unit}: MISSED by ${fmt(value - limit)} ${unit} (${fmt(value / limit)}x)`;
}
