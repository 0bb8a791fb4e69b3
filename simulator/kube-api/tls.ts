// The fake API server's serving certificate: one self-signed EC P-256 certificate for
// 127.0.0.1/localhost that is its own CA, written into the emitted kubeconfig as
// certificate-authority-data, so kubectl and client-node verify the server as they would a
// real cluster (kubectl never sends a bearer token over plain http).
//
// Node's crypto cannot issue X.509 certificates, so the `openssl` command line makes it
// (present on every machine this project targets; checked, with a clear error when it is
// not). Made once per process and shared by every fake server it starts.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServingCert {
  /** PEM certificate (also the CA a client trusts). */
  certPem: string;
  /** PEM PKCS#8 private key. */
  keyPem: string;
}

let pending: Promise<ServingCert> | undefined;

/** The process-wide serving certificate, created on first use. */
export function servingCert(): Promise<ServingCert> {
  pending ??= makeCert().catch((e: unknown) => {
    pending = undefined;
    throw e;
  });
  return pending;
}

async function makeCert(): Promise<ServingCert> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-soak-kube-tls-'));
  try {
    const key = join(dir, 'tls.key');
    const cert = join(dir, 'tls.crt');
    const args = [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-subj', '/CN=mesh-soak-sim', '-days', '30',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
    ];
    await new Promise<void>((resolve, reject) => {
      execFile('openssl', args, { timeout: 30_000 }, (err, _out, stderr) => {
        if (!err) resolve();
        else if ((err as NodeJS.ErrnoException).code === 'ENOENT') reject(new Error('fake kube api: the openssl command is needed to make its TLS certificate and is not on PATH'));
        else reject(new Error(`fake kube api: openssl could not make a certificate: ${stderr.trim().slice(0, 500)}`));
      });
    });
    return { certPem: await readFile(cert, 'utf8'), keyPem: await readFile(key, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
