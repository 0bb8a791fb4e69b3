// The container image recipe, checked as text (no container engine here): Node 22 LTS, a numeric
// non-root user Kubernetes can verify, the documented entrypoint, no HEALTHCHECK (probes do that).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './manifests.js';
import { imageNodeFlags } from '../../../bench/lib/child-daemon.js';

const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const instr = (name: string) => lines.filter((l) => l.toUpperCase().startsWith(`${name} `));

describe('Dockerfile', () => {
  it('builds and runs on node:22-bookworm-slim in two stages', () => {
    const from = instr('FROM');
    expect(from.length).toBe(2);
    for (const f of from) expect(f).toMatch(/^FROM node:22-bookworm-slim\b/);
    // The runtime stage installs production dependencies only (dev ones never reach the image).
    const installs = lines.filter((l) => /^RUN .*npm ci\b/.test(l));
    expect(installs.at(-1)).toMatch(/npm ci --omit=dev --ignore-scripts\b/);
  });

  it('runs as a numeric non-root user, set after the last install step', () => {
    const users = instr('USER');
    expect(users.length).toBeGreaterThan(0);
    const last = users[users.length - 1] as string;
    const m = /^USER (\d+)(?::(\d+))?$/.exec(last);
    expect(m, last).not.toBeNull();
    expect(Number(m?.[1])).toBeGreaterThan(0);
    expect(lines.indexOf(last)).toBeGreaterThan(lines.findLastIndex((l) => l.startsWith('RUN ')));
  });

  it('starts the CLI with `run --config /etc/mesh-soak/config.yaml`, like the Deployment', () => {
    expect(instr('ENTRYPOINT')).toEqual(['ENTRYPOINT ["node", "--heap-growing-percent=15", "dist/src/cli.js"]']);
    expect(instr('CMD')).toEqual(['CMD ["run", "--config", "/etc/mesh-soak/config.yaml"]']);
  });

  it('bounds V8\'s heap (NODE_OPTIONS and the ENTRYPOINT\'s node flags), and the benchmarks run their daemon with the same flags', () => {
    expect(instr('ENV')).toContain('ENV NODE_OPTIONS=--max-semi-space-size=4');
    expect(imageNodeFlags(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))).toEqual(['--max-semi-space-size=4', '--heap-growing-percent=15']);
    expect(imageNodeFlags('FROM x\nENV NODE_OPTIONS="--a=1 --b"\n')).toEqual(['--a=1', '--b']);
    expect(imageNodeFlags('FROM x\nENTRYPOINT ["node", "--c", "cli.js"]\n')).toEqual(['--c']);
    expect(imageNodeFlags('FROM x\nENTRYPOINT ["tini", "--", "node"]\n')).toEqual([]);
    expect(imageNodeFlags('FROM x\n')).toEqual([]);
  });

  it('has no HEALTHCHECK and ships the suites and dashboards', () => {
    expect(instr('HEALTHCHECK')).toEqual([]);
    expect(lines).toContain('COPY suites ./suites');
    expect(lines).toContain('COPY grafana ./grafana');
    expect(lines).toContain('COPY examples ./examples');
  });

  it('keeps secrets and local state out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['.git', 'node_modules', '.env']) expect(ignored).toContain(p);
  });
});
