// A tiny entry that runs the daemon as its own process, for tests that need a real crash
// (kill -9) or a real SIGTERM. Config comes as JSON in MESH_SOAK_TEST_CONFIG; prints
// `LISTENING <port>` once the HTTP server is up and exits 0 after a clean stop.

import { pino } from 'pino';
import type { Config } from '../../../src/config/model.js';
import { startDaemon } from '../../../src/app/index.js';

const config = JSON.parse(process.env.MESH_SOAK_TEST_CONFIG ?? '{}') as Config;
const prefix = process.env.MESH_SOAK_TEST_PREFIX ?? 'mesh-soak';
const daemon = await startDaemon(config, {
  logger: pino({ level: process.env.MESH_SOAK_TEST_LOG ?? 'warn' }, pino.destination(2)),
  prefix,
  port: config.http.port,
  host: '127.0.0.1',
  retryMs: 500,
});
process.stdout.write(`LISTENING ${daemon.port}\n`);
let stopping = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    daemon.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
