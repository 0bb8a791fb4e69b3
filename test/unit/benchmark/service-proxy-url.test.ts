// Which service a Fortio URL names for the API server's service proxy, and the proxy path.

import { describe, expect, it } from 'vitest';
import { serviceOf, serviceProxyUrl } from '../../../src/adapters/fortio/service-proxy.js';

describe('serviceOf', () => {
  it('reads NAME, NAME.NS and NAME.NS.svc.cluster.local hosts, the namespace defaulting to the suite\'s', () => {
    expect(serviceOf('http://fortioclient:8080', 'twopods')).toEqual({ namespace: 'twopods', name: 'fortioclient', port: '8080' });
    expect(serviceOf('http://fortioclient.perf:9000/', 'twopods')).toEqual({ namespace: 'perf', name: 'fortioclient', port: '9000' });
    expect(serviceOf('https://fortio.perf.svc.cluster.local', 'x')).toEqual({ namespace: 'perf', name: 'fortio', port: '443' });
    expect(serviceOf('http://fortio', 'x').port).toBe('80');
  });

  it('refuses a host that is no service, naming the field', () => {
    expect(() => serviceOf('http://10.0.0.7:8080', 'x')).toThrow('benchmark.fortio.url: with via: apiserver the host must be a service (NAME or NAME.NAMESPACE), not "10.0.0.7"');
    expect(() => serviceOf('http://Fortio_Client:8080', 'x')).toThrow(/must be a service/);
  });
});

describe('serviceProxyUrl', () => {
  it('builds the proxy base, with the https: prefix for TLS services', () => {
    const s = { namespace: 'twopods', name: 'fortioclient', port: '8080' };
    expect(serviceProxyUrl('https://10.0.0.1:6443/', s)).toBe('https://10.0.0.1:6443/api/v1/namespaces/twopods/services/fortioclient:8080/proxy');
    expect(serviceProxyUrl('https://k', s, 'https')).toBe('https://k/api/v1/namespaces/twopods/services/https:fortioclient:8080/proxy');
  });
});
