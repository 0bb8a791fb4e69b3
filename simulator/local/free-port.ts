// Free loopback ports for servers a test starts.

import { createServer } from 'node:net';

/** Binds 127.0.0.1:0, reads the port the OS chose, closes. Racy by nature, but only in theory here. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not read a free port'))));
    });
  });
}
