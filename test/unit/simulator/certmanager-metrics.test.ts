// The simulated cert-manager: issue on first sight, renewal at notAfter - renewBefore, and the
// three faults (not ready, renewal stuck near expiry, expired), with cert-manager's series names.
import { describe, expect, it } from 'vitest';
import { CertManagerModel, certificateView, type CertFault, type CertSeries } from '../../../simulator/certmanager-metrics.js';

const H = 3_600_000;
const cert = certificateView({
  metadata: { name: 'gw', namespace: 'ns' },
  spec: { duration: '1h', renewBefore: '40m', issuerRef: { name: 'self', kind: 'Issuer' } },
});
const value = (series: CertSeries[], name: string, condition?: string): number | undefined =>
  series.find((s) => s.name === name && (condition === undefined || s.labels['condition'] === condition))?.value;
const expiry = (s: CertSeries[]) => value(s, 'certmanager_certificate_expiration_timestamp_seconds');
const renewal = (s: CertSeries[]) => value(s, 'certmanager_certificate_renewal_timestamp_seconds');
const ready = (s: CertSeries[]) => value(s, 'certmanager_certificate_ready_status', 'True');

function run(faults: CertFault[] = []) {
  const on = new Set(faults);
  return (m: CertManagerModel, t: number) => m.update([cert], t, (_ns, k) => on.has(k));
}

describe('CertManagerModel', () => {
  it('reads duration, renewBefore and the issuer from the Certificate (cert-manager defaults otherwise)', () => {
    expect(cert).toMatchObject({ durationMs: H, renewBeforeMs: 40 * 60_000, issuer: { name: 'self', kind: 'Issuer', group: 'cert-manager.io' } });
    expect(certificateView({ metadata: { name: 'x' }, spec: {} })).toMatchObject({ durationMs: 90 * 24 * H, renewBeforeMs: 30 * 24 * H });
  });

  it('issues at first sight with cert-manager\'s names and labels, and renews at notAfter - renewBefore', () => {
    const m = new CertManagerModel();
    const s0 = run()(m, 0);
    expect(expiry(s0)).toBe(3600);
    expect(renewal(s0)).toBe(1200);
    expect(s0.filter((s) => s.name === 'certmanager_certificate_ready_status').map((s) => [s.labels['condition'], s.value])).toEqual([['True', 1], ['False', 0], ['Unknown', 0]]);
    expect(s0[0]?.labels).toEqual({ name: 'gw', namespace: 'ns', issuer_name: 'self', issuer_kind: 'Issuer', issuer_group: 'cert-manager.io' });
    expect(expiry(run()(m, 1199_000))).toBe(3600);
    expect(expiry(run()(m, 1200_000))).toBe(4800);
  });

  it('cert-not-ready: Ready False, the certificate unchanged', () => {
    const m = new CertManagerModel();
    run()(m, 0);
    const s = run(['cert-not-ready'])(m, 10_000);
    expect(ready(s)).toBe(0);
    expect(value(s, 'certmanager_certificate_ready_status', 'False')).toBe(1);
    expect(expiry(s)).toBe(3600);
  });

  it('cert-expiring: 10 minutes left, renewal past, still Ready; renewed once the fault ends', () => {
    const m = new CertManagerModel();
    run()(m, 0);
    const s = run(['cert-expiring'])(m, 100_000);
    expect(expiry(s)).toBe(100 + 600);
    expect(renewal(s)).toBeLessThan(100);
    expect(ready(s)).toBe(1);
    expect(expiry(run(['cert-expiring'])(m, 200_000))).toBe(700);
    expect(expiry(run()(m, 300_000))).toBe(300 + 3600);
  });

  it('cert-expired: notAfter past and Ready False; renewed and Ready once the fault ends', () => {
    const m = new CertManagerModel();
    run()(m, 0);
    const s = run(['cert-expired'])(m, 100_000);
    expect(expiry(s)).toBeLessThan(100);
    expect(ready(s)).toBe(0);
    const after = run()(m, 200_000);
    expect(expiry(after)).toBe(200 + 3600);
    expect(ready(after)).toBe(1);
  });

  it('forgets a deleted Certificate: a new one of the same name is issued afresh', () => {
    const m = new CertManagerModel();
    run()(m, 0);
    expect(m.update([], 10_000, () => false)).toEqual([]);
    expect(expiry(run()(m, 20_000))).toBe(20 + 3600);
  });
});
