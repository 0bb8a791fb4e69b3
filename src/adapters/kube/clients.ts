// Building the Kubernetes clients mesh-soak uses, and the small context every cluster
// operation takes. Config comes from an explicit kubeconfig, else the in-cluster service
// account, else the default kubeconfig (KUBECONFIG, ~/.kube/config). All clients share
// one transport with a per-request timeout and per-request reporting.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  ServerConfiguration,
  createConfiguration,
  wrapHttpLibrary,
} from '@kubernetes/client-node';
import { UserError, messageOf } from '../../shared/errors.js';
import type { Clock, Sleep } from '../../shared/time.js';
import { TimeoutHttpLibrary, type RequestReporter } from './http-library.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js';

export interface KubeContext {
  apps: AppsV1Api;
  core: CoreV1Api;
  objects: KubernetesObjectApi;
  retry: RetryPolicy;
  /** Called once per HTTP request (every attempt, discovery included) with its outcome:
   *  the status code, or `timeout` / `unreachable`. Feeds mesh_soak_kube_requests_total. */
  onRequest?: RequestReporter;
  /** The clock of retry budgets, Retry-After dates and rollout deadlines; default Date.now. */
  now?: Clock;
  /** The wait between retries and rollout polls; default a real (abortable) timer. */
  sleep?: Sleep;
}

export interface KubeClientOptions {
  /** The kubeconfig's context to use (config clusters[].kubernetes.context); absent: its current one. */
  context?: string;
  retry?: Partial<RetryPolicy>;
  onRequest?: RequestReporter;
  now?: Clock;
  sleep?: Sleep;
}

const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (kubeconfigPath !== undefined && kubeconfigPath !== '') {
      const path = kubeconfigPath.startsWith('~/') ? homedir() + kubeconfigPath.slice(1) : kubeconfigPath;
      if (!existsSync(path)) throw new UserError(`kubernetes.kubeconfig: file ${path} does not exist`);
      kc.loadFromFile(path);
    } else if (process.env.KUBERNETES_SERVICE_HOST && existsSync(SA_TOKEN)) {
      kc.loadFromCluster();
    } else {
      kc.loadFromDefault();
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`kubernetes.kubeconfig: cannot load: ${messageOf(e)}`);
  }
  if (!kc.getCurrentCluster()) {
    throw new UserError('kubernetes: no cluster found (no kubeconfig given, not in a cluster, and no current context in ~/.kube/config)');
  }
  return kc;
}

export function createKubeClients(kubeconfigPath?: string, options: KubeClientOptions = {}): KubeContext {
  const kc = loadKubeConfig(kubeconfigPath);
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) throw new UserError(`kubernetes.context: no context '${options.context}' in the kubeconfig (contexts: ${kc.getContexts().map((c) => c.name).join(', ')})`);
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new UserError('kubernetes: no current cluster');
  const ctx: KubeContext = {
    // Filled in below; the transport reads ctx lazily so later changes to retry/onRequest apply.
    apps: undefined as unknown as AppsV1Api,
    core: undefined as unknown as CoreV1Api,
    objects: undefined as unknown as KubernetesObjectApi,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    onRequest: options.onRequest,
    now: options.now,
    sleep: options.sleep,
  };
  const transport = new TimeoutHttpLibrary(
    () => ctx.retry.requestTimeoutMs,
    () => ctx.onRequest,
  );
  const config = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    httpApi: wrapHttpLibrary(transport),
  });
  ctx.apps = new AppsV1Api(config);
  ctx.core = new CoreV1Api(config);
  ctx.objects = new ContextObjectApi(config, kc);
  return ctx;
}

/** KubernetesObjectApi on our transport, with the kubeconfig context's default namespace
 *  (makeApiClient would do that, but only on client-node's own timeout-less transport). */
class ContextObjectApi extends KubernetesObjectApi {
  constructor(config: ConstructorParameters<typeof KubernetesObjectApi>[0], kc: KubeConfig) {
    super(config);
    this.setDefaultNamespace(kc);
  }
}
