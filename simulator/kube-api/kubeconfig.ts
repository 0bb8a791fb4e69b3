// The kubeconfig that points a client at the fake API server: https with the server's own
// certificate as certificate-authority-data (verified, never insecure-skip-tls-verify), and
// a bearer token the server checks, so a client that loses its credentials is noticed.
// Without a CA (a test pointing a client at a closed plain-http port) no TLS settings.

import { stringify } from 'yaml';

export function fakeKubeconfigYaml(server: string, token: string, caPem?: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'mesh-soak-sim', cluster: { server, ...(caPem !== undefined ? { 'certificate-authority-data': Buffer.from(caPem).toString('base64') } : {}) } }],
    users: [{ name: 'mesh-soak-sim', user: { token } }],
    contexts: [{ name: 'mesh-soak-sim', context: { cluster: 'mesh-soak-sim', user: 'mesh-soak-sim', namespace } }],
    'current-context': 'mesh-soak-sim',
  });
}
