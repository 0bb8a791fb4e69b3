// The evidence bounds (verdict/evidence.ts): texts cut by UTF-8 bytes without splitting a
// character, the newest events and the first pods kept, what was left out noted, and the
// namespaces a suite's evidence comes from.
import { describe, expect, it } from 'vitest';
import { boundEvidence, clipText, DEFAULT_EVIDENCE_BOUNDS, evidenceFailure, evidenceNamespaces, type Evidence } from '../../../src/verdict/evidence.js';
import { suiteEvidenceNamespaces } from '../../../src/daemon/evidence.js';

const bounds = { ...DEFAULT_EVIDENCE_BOUNDS, maxEvents: 3, maxPods: 2, maxTextBytes: 16 };

describe('clipText', () => {
  it('keeps short texts and cuts long ones to the byte bound with an ellipsis', () => {
    expect(clipText('short', 16)).toBe('short');
    const cut = clipText('x'.repeat(100), 16);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(16);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never splits a multi-byte character', () => {
    for (let max = 3; max < 20; max++) {
      const cut = clipText('ääääääääääääää€€€', max);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(max);
      expect(cut).not.toContain('\uFFFD');
      expect(Buffer.from(cut).toString()).toBe(cut);
    }
  });
});

describe('boundEvidence', () => {
  const events = Array.from({ length: 10 }, (_, i) => ({ at: `2026-12-01T10:00:0${i}Z`, type: 'Warning', reason: 'BackOff', object: `Pod/p${i}`, message: `restarting failed container ${'y'.repeat(50)}` }));
  const pods = ['c', 'a', 'b'].map((name) => ({ name, phase: 'Running', ready: '1/1', restarts: 0 }));

  it('keeps the newest events and the first pods by name, clips every text, and says what it left out', () => {
    const e: Evidence = boundEvidence({ events, pods, namespaces: ['ns'] }, bounds);
    expect(e.events.map((x) => x.object)).toEqual(['Pod/p9', 'Pod/p8', 'Pod/p7']);
    expect(e.pods.map((p) => p.name)).toEqual(['a', 'b']);
    for (const x of e.events) expect(Buffer.byteLength(x.message)).toBeLessThanOrEqual(16);
    expect(e.note).toBe('7 older event(s) left out; 1 pod(s) left out');
    expect(e.namespaces).toEqual(['ns']);
  });

  it('adds no note when nothing was left out', () => {
    expect(boundEvidence({ events: events.slice(0, 1), pods: pods.slice(0, 1) }, DEFAULT_EVIDENCE_BOUNDS).note).toBeUndefined();
  });

  it('a failure is evidence with no pods or events and the reason', () => {
    expect(evidenceFailure(['ns'], 'connect ECONNREFUSED', DEFAULT_EVIDENCE_BOUNDS)).toEqual({ events: [], pods: [], note: 'not captured: connect ECONNREFUSED', namespaces: ['ns'] });
  });
});

describe('evidence namespaces', () => {
  it('the suite\'s own first, then its steps\', each once, templated ones left out, at most max', () => {
    expect(evidenceNamespaces('a', [undefined, 'b', 'a', '{{params.ns}}', 'c', 'd'], 3)).toEqual(['a', 'b', 'c']);
    expect(evidenceNamespaces(undefined, [], 3)).toEqual([]);
  });

  it('reads the namespaces of a suite\'s disruption steps', () => {
    const suite = {
      namespace: 'istio-stability-gateway-bouncer',
      disruption: { schedule: { every: 60_000 }, steps: [{ scale: { deployment: 'istiod', namespace: 'istio-system', replicas: 0 } }, { sleep: { durationMs: 1000 } }, { rolloutRestart: { deployment: 'gw' } }] },
    };
    expect(suiteEvidenceNamespaces(suite, 3)).toEqual(['istio-stability-gateway-bouncer', 'istio-system']);
  });
});
