// Redis, Prometheus and Alertmanager in containers through testcontainers: the container
// runtime of the servers redis.ts, prometheus.ts and alertmanager.ts describe (their command
// lines and files come from there; this file adds images, networking and readiness), with
// the same options and handles as their binary starters, so a test does not know which it got. Images: in a user's CI the official ones (redis:7,
// prom/prometheus:v2.42.0, prom/alertmanager:v0.25.0, pulled); on a machine without a
// registry, the ones scripts/containers/base-images.sh builds from Debian's packages
// (localhost/mesh-soak-test/*), used when present; MESH_SOAK_TEST_*_IMAGE overrides both.
//
// Networking: ports are published on 127.0.0.1 only (bridge network). A server that must
// reach something on the host's loopback (Prometheus scraping a target on 127.0.0.1,
// Alertmanager posting to a webhook receiver there) runs on the host network instead,
// listening on a free 127.0.0.1 port, exactly like the binary. Readiness: a log-message wait
// (no tool is needed inside the image). The temp dir (Prometheus' config and data) is
// bind-mounted at the same path, so the engine must share this file system (a local Docker
// or podman, as in CI).

import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { GenericContainer, StartedTestContainer } from 'testcontainers';
import { freePort } from './free-port.js';
import { prometheusArgs, reloadPrometheus, readQueryLog, writePrometheusFiles, type PrometheusOptions, type RunningPrometheus } from './prometheus.js';
import { redisCommand, type RedisOptions, type RunningRedis } from './redis.js';
import { alertmanagerArgs, type RunningAlertmanager } from './alertmanager.js';
import { ensureContainerRuntime, HARNESS_LABEL } from './container-runtime.js';

export type ServerKind = 'redis' | 'prometheus' | 'alertmanager';

/** The images per server: env override, else the locally built one if present, else the official one. */
export const IMAGES: Record<ServerKind, { env: string; local: string; official: string }> = {
  redis: { env: 'MESH_SOAK_TEST_REDIS_IMAGE', local: 'localhost/mesh-soak-test/redis:7', official: 'redis:7' },
  prometheus: {
    env: 'MESH_SOAK_TEST_PROMETHEUS_IMAGE',
    local: 'localhost/mesh-soak-test/prometheus:v2.42.0',
    official: 'prom/prometheus:v2.42.0',
  },
  alertmanager: {
    env: 'MESH_SOAK_TEST_ALERTMANAGER_IMAGE',
    local: 'localhost/mesh-soak-test/alertmanager:v0.25.0',
    official: 'prom/alertmanager:v0.25.0',
  },
};

const READY_LOG: Record<ServerKind, RegExp> = {
  redis: /Ready to accept connections/,
  prometheus: /Server is ready to receive web requests/,
  alertmanager: /msg="Listening on"/,
};

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_S = 5;

/** The image a server runs from (see IMAGES). */
export async function imageFor(kind: ServerKind): Promise<string> {
  const spec = IMAGES[kind];
  const override = process.env[spec.env];
  if (override) return override;
  await ensureContainerRuntime();
  const { getContainerRuntimeClient, ImageName } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  return (await client.image.exists(ImageName.fromString(spec.local))) ? spec.local : spec.official;
}

/** Keeps a container's output (for the error when it does not become ready). */
class LogTail {
  private text = '';
  consume = (stream: Readable): void => {
    stream.on('data', (chunk: Buffer | string) => {
      this.text = (this.text + chunk.toString()).slice(-20_000);
    });
    stream.on('error', () => undefined);
  };
  tail(lines = 30): string {
    return this.text.trimEnd().split('\n').slice(-lines).join('\n') || '(no output)';
  }
}

interface Launch {
  kind: ServerKind;
  name: string;
  /** The port the server listens on inside its network namespace (published on 127.0.0.1). */
  containerPort: number;
  command: string[];
  /** host: share the host's network (the server must reach the host's loopback). */
  hostNetwork: boolean;
  /** On the host network: the port it listens on. On the bridge: the published host port, 0 = any. */
  hostPort: number;
  configure?: (c: GenericContainer) => GenericContainer;
}

async function launch(l: Launch): Promise<{ container: StartedTestContainer; port: number; host: string }> {
  await ensureContainerRuntime();
  const { GenericContainer, Wait } = await import('testcontainers');
  const image = await imageFor(l.kind);
  const logs = new LogTail();
  let c = new GenericContainer(image)
    .withCommand(l.command)
    .withLabels({ [HARNESS_LABEL]: String(process.pid) })
    .withWaitStrategy(Wait.forLogMessage(READY_LOG[l.kind]))
    .withStartupTimeout(STARTUP_TIMEOUT_MS)
    .withLogConsumer(logs.consume);
  if (l.hostNetwork) {
    c = c.withNetworkMode('host');
  } else {
    c = c.withExposedPorts(l.hostPort > 0 ? { container: l.containerPort, host: l.hostPort } : l.containerPort);
    publishOnLoopback(c);
  }
  if (l.configure) c = l.configure(c);
  try {
    const container = await c.start();
    const port = l.hostNetwork ? l.hostPort : container.getMappedPort(l.containerPort);
    return { container, port, host: l.hostNetwork ? '127.0.0.1' : container.getHost() };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const where = l.hostNetwork ? `127.0.0.1:${l.hostPort}` : `127.0.0.1 (port ${l.containerPort} published)`;
    throw new Error(`${l.name} on ${where} in a container (${image}) failed: ${message}\n--- container output (tail) ---\n${logs.tail()}`);
  }
}

/**
 * testcontainers publishes exposed ports on every interface; bind them to 127.0.0.1 instead.
 * (HostConfig is protected in GenericContainer: this edits the object it will send.)
 */
function publishOnLoopback(c: GenericContainer): void {
  const hostConfig = (c as unknown as { hostConfig: { PortBindings?: Record<string, Array<{ HostIp?: string; HostPort: string }>> } }).hostConfig;
  for (const bindings of Object.values(hostConfig.PortBindings ?? {})) {
    for (const b of bindings) b.HostIp = '127.0.0.1';
  }
}

/** Stops (SIGTERM, SIGKILL after the grace) and removes; never throws for a container already gone. */
async function stopContainer(container: StartedTestContainer): Promise<void> {
  try {
    await container.stop({ timeout: STOP_GRACE_S * 1000, remove: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!/no such container|not found|404/i.test(message)) throw err;
  }
}

function isLoopbackTarget(hostPort: string): boolean {
  const host = hostPort.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

// --- Redis -------------------------------------------------------------------------------

/** Redis (official redis:7 or Debian's 7.0) with its port published on a fixed 127.0.0.1 port, so restart() keeps it. */
export async function startRedisContainer(options: RedisOptions = {}): Promise<RunningRedis> {
  const hostPort = await freePort();
  const { container } = await launch({
    kind: 'redis',
    name: 'Redis',
    containerPort: 6379,
    hostPort,
    hostNetwork: false,
    command: redisCommand(options, { runtime: 'container' }),
  });
  let stopped = false;
  return {
    url: `redis://127.0.0.1:${hostPort}`,
    port: hostPort,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopContainer(container);
    },
    async kill9() {
      const { getContainerRuntimeClient } = await import('testcontainers');
      const client = await getContainerRuntimeClient();
      const handle = client.container.getById(container.getId());
      const inspect = await handle.inspect();
      if (!inspect.State.Running) return;
      await handle.kill({ signal: 'SIGKILL' });
      await handle.wait();
    },
    async restart() {
      if (stopped) throw new Error('Redis was stopped for good; start a new one');
      // The same container: its /data (the append-only file) and its port binding survive.
      // testcontainers re-waits for the ready log line, which it sometimes misses on a
      // restarted container under load: a Redis that answers PING is up all the same.
      try {
        await container.restart({ timeout: STOP_GRACE_S * 1000 });
      } catch (err) {
        if (!(await answersPing(hostPort))) throw err;
      }
    },
  };
}

/** One PING to 127.0.0.1:port within 2 s: true on +PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (b: Buffer) => done(b.toString().startsWith('+PONG')));
  });
}

// --- Prometheus --------------------------------------------------------------------------

/**
 * Prometheus with the binary starter's options. Its temp dir (config, data) is bind-mounted
 * at the same path and rule files at theirs, so the command line is the binary's; it runs as
 * this process' user so the data it writes can be removed afterwards.
 */
export async function startPrometheusContainer(options: PrometheusOptions = {}): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-soak-prom-'));
  const user = `${process.getuid?.() ?? 65534}:${process.getgid?.() ?? 65534}`;
  const targets = [...(options.scrapeTargets ?? []), ...Object.values(options.scrapeJobs ?? {}).flat()];
  const hostNetwork = targets.some(isLoopbackTarget);
  const mounts = (c: GenericContainer): GenericContainer =>
    c
      .withUser(user)
      .withBindMounts([
        { source: dir, target: dir, mode: 'rw' },
        ...(options.ruleFiles ?? []).map((f) => ({ source: f, target: f, mode: 'ro' as const })),
      ]);
  let container: StartedTestContainer | undefined;
  try {
    await chmod(dir, 0o755);
    const files = await writePrometheusFiles(dir, options);
    if (files.backfillInput) await promtoolBackfill(files.backfillInput, files.dataDir, mounts);
    const listenPort = hostNetwork ? await freePort() : 9090;
    const started = await launch({
      kind: 'prometheus',
      name: 'Prometheus',
      containerPort: 9090,
      hostPort: hostNetwork ? listenPort : 0,
      hostNetwork,
      command: prometheusArgs(files, `${hostNetwork ? '127.0.0.1' : '0.0.0.0'}:${listenPort}`, options),
      configure: mounts,
    });
    container = started.container;
    const url = `http://${started.host}:${started.port}`;
    let stopped = false;
    return {
      url,
      port: started.port,
      dataDir: files.dataDir,
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopContainer(started.container);
        await rm(dir, { recursive: true, force: true });
      },
      reload: () => reloadPrometheus(url),
      queryLog: () => readQueryLog(files),
    };
  } catch (err) {
    if (container) await stopContainer(container).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** `promtool tsdb create-blocks-from openmetrics` in a one-shot container of the Prometheus image. */
async function promtoolBackfill(input: string, dataDir: string, mounts: (c: GenericContainer) => GenericContainer): Promise<void> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const image = await imageFor('prometheus');
  const logs = new LogTail();
  const c = mounts(
    new GenericContainer(image)
      .withEntrypoint(['/bin/promtool'])
      .withCommand(['tsdb', 'create-blocks-from', 'openmetrics', input, dataDir])
      // No network: and no port of the image's EXPOSE for testcontainers to wait on.
      .withNetworkMode('none')
      .withLabels({ [HARNESS_LABEL]: String(process.pid) })
      .withWaitStrategy(Wait.forOneShotStartup())
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .withLogConsumer(logs.consume),
  );
  try {
    const done = await c.start();
    await stopContainer(done);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`promtool backfill failed (${image}): ${message}\n${logs.tail()}`);
  }
}

// --- Alertmanager ------------------------------------------------------------------------

/**
 * Alertmanager with a whole alertmanager.yml, clustering off. A config that posts to the
 * host's loopback (a webhook receiver a test runs) puts it on the host network.
 */
export async function startAlertmanagerContainer(options: { configYaml: string }): Promise<RunningAlertmanager> {
  const hostNetwork = /\b(127\.\d+\.\d+\.\d+|localhost|\[::1\])\b/.test(options.configYaml);
  const listenPort = hostNetwork ? await freePort() : 9093;
  const configFile = '/etc/alertmanager/alertmanager.yml';
  const started = await launch({
    kind: 'alertmanager',
    name: 'Alertmanager',
    containerPort: 9093,
    hostPort: hostNetwork ? listenPort : 0,
    hostNetwork,
    command: alertmanagerArgs(configFile, '/alertmanager', `${hostNetwork ? '127.0.0.1' : '0.0.0.0'}:${listenPort}`),
    configure: (c) => c.withCopyContentToContainer([{ content: options.configYaml, target: configFile, mode: 0o644 }]),
  });
  let stopped = false;
  return {
    url: `http://${started.host}:${started.port}`,
    port: started.port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopContainer(started.container);
    },
  };
}
