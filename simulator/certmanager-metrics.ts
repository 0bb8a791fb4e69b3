// cert-manager's certificate metrics, as its controller exports them (cert-manager
// pkg/metrics, certificates.go), for the Certificates of the simulated cluster: each is issued
// when first seen and re-issued at its renewal time (notAfter - renewBefore), as cert-manager
// does. Series per Certificate, labelled name, namespace, issuer_name, issuer_kind, issuer_group:
//   certmanager_certificate_expiration_timestamp_seconds  status.notAfter (Unix seconds)
//   certmanager_certificate_renewal_timestamp_seconds     status.renewalTime
//   certmanager_certificate_ready_status{condition=True|False|Unknown}  1 for the Ready condition's status
// Faults, per namespace (sds-certmanager):
//   cert-not-ready  issuance fails: Ready is False; the certificate in the Secret stays valid;
//   cert-expiring   renewal stuck: the certificate has min(10 min, renewBefore/4) left, its
//                   renewal time is past; Ready stays True (cert-manager keeps it until expiry);
//   cert-expired    renewal stuck until the certificate expired: Ready False, notAfter past,
//                   and the gateway serving it fails every TLS handshake (istio-metrics.ts).
// When a fault ends, cert-manager renews at once (the renewal time is past). Pure: time comes in.

import { parseDuration } from '../src/checks/duration.js';
import type { ResourceType } from './kube-api/resources.js';

export interface CertificateView {
  namespace: string;
  name: string;
  /** spec.duration (cert-manager's default 90 days). */
  durationMs: number;
  /** spec.renewBefore (default a third of the duration). */
  renewBeforeMs: number;
  issuer: { name: string; kind: string; group: string };
}

export const CERT_FAULTS = ['cert-not-ready', 'cert-expiring', 'cert-expired'] as const;
export type CertFault = (typeof CERT_FAULTS)[number];

export interface CertSeries {
  name: string;
  help: string;
  labels: Record<string, string>;
  value: number;
}

const DEFAULT_DURATION_MS = 90 * 24 * 3_600_000;
const EXPIRING_LEFT_MS = 10 * 60_000;

const ms = (text: unknown, fallback: number): number => {
  const v = typeof text === 'string' ? parseDuration(text) : fallback;
  return typeof v === 'number' && v > 0 ? v : fallback;
};

/** A Certificate object (cert-manager.io/v1) as the model needs it. */
export function certificateView(o: Record<string, unknown>): CertificateView {
  const meta = (o['metadata'] ?? {}) as { name?: string; namespace?: string };
  const spec = (o['spec'] ?? {}) as { duration?: unknown; renewBefore?: unknown; issuerRef?: { name?: string; kind?: string; group?: string } };
  const durationMs = ms(spec.duration, DEFAULT_DURATION_MS);
  return {
    namespace: meta.namespace ?? 'default',
    name: meta.name ?? '',
    durationMs,
    renewBeforeMs: Math.min(ms(spec.renewBefore, Math.round(durationMs / 3)), durationMs),
    issuer: { name: spec.issuerRef?.name ?? '', kind: spec.issuerRef?.kind ?? 'Issuer', group: spec.issuerRef?.group ?? 'cert-manager.io' },
  };
}

export class CertManagerModel {
  /** notBefore (ms) of each certificate's current issue, by namespace/name. */
  private readonly notBefore = new Map<string, number>();

  /** Issues, renews and (under a fault) backdates; returns the series of every certificate now. */
  update(certs: CertificateView[], nowMs: number, fault: (namespace: string, kind: CertFault) => boolean): CertSeries[] {
    const seen = new Set<string>();
    const out: CertSeries[] = [];
    for (const c of certs) {
      const key = `${c.namespace}/${c.name}`;
      seen.add(key);
      const stuck = fault(c.namespace, 'cert-expiring') || fault(c.namespace, 'cert-expired');
      const notBefore = this.issue(key, c, nowMs, stuck, fault(c.namespace, 'cert-expired'));
      const notAfter = notBefore + c.durationMs;
      const ready = fault(c.namespace, 'cert-not-ready') || notAfter <= nowMs ? 'False' : 'True';
      out.push(...seriesOf(c, notAfter, notAfter - c.renewBeforeMs, ready));
    }
    for (const key of [...this.notBefore.keys()]) if (!seen.has(key)) this.notBefore.delete(key);
    return out;
  }

  /** The current issue's notBefore: kept, renewed when due, or backdated to the fault's state. */
  private issue(key: string, c: CertificateView, nowMs: number, stuck: boolean, expired: boolean): number {
    let notBefore = this.notBefore.get(key) ?? nowMs;
    const notAfter = notBefore + c.durationMs;
    if (expired && notAfter > nowMs) notBefore = nowMs - c.durationMs - 60_000;
    else if (stuck && !expired && notAfter - nowMs > Math.min(EXPIRING_LEFT_MS, c.renewBeforeMs / 4)) notBefore = nowMs + Math.min(EXPIRING_LEFT_MS, c.renewBeforeMs / 4) - c.durationMs;
    else if (!stuck && nowMs >= notAfter - c.renewBeforeMs) notBefore = nowMs;
    this.notBefore.set(key, notBefore);
    return notBefore;
  }
}

function seriesOf(c: CertificateView, notAfterMs: number, renewalMs: number, ready: 'True' | 'False'): CertSeries[] {
  const labels = { name: c.name, namespace: c.namespace, issuer_name: c.issuer.name, issuer_kind: c.issuer.kind, issuer_group: c.issuer.group };
  return [
    { name: 'certmanager_certificate_expiration_timestamp_seconds', help: 'The date after which the certificate expires. Expressed as a Unix Epoch Time.', labels, value: Math.floor(notAfterMs / 1000) },
    { name: 'certmanager_certificate_renewal_timestamp_seconds', help: 'The number of seconds before expiration time the certificate should renew.', labels, value: Math.floor(renewalMs / 1000) },
    ...(['True', 'False', 'Unknown'] as const).map((condition) => ({
      name: 'certmanager_certificate_ready_status',
      help: 'The ready status of the certificate.',
      labels: { ...labels, condition },
      value: condition === ready ? 1 : 0,
    })),
  ];
}

/** cert-manager's CRDs as the fake API serves them once installed (suites apply sds-certmanager's Issuer and Certificate). */
export const CERT_MANAGER_TYPES: ResourceType[] = [
  { group: 'cert-manager.io', version: 'v1', resource: 'issuers', kind: 'Issuer', namespaced: true },
  { group: 'cert-manager.io', version: 'v1', resource: 'certificates', kind: 'Certificate', namespaced: true },
];
