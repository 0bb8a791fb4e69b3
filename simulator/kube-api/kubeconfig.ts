// The kubeconfig that points a client at the fake API server: plain http, so it must
// carry `insecure-skip-tls-verify: true` (client-node refuses http otherwise), and a bearer
// token the server checks, so a client that loses its credentials is noticed.

import { stringify } from 'yaml';

export function fakeKubeconfigYaml(server: string, token: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'mesh-soak-sim', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'mesh-soak-sim', user: { token } }],
    contexts: [{ name: 'mesh-soak-sim', context: { cluster: 'mesh-soak-sim', user: 'mesh-soak-sim', namespace } }],
    'current-context': 'mesh-soak-sim',
  });
}
