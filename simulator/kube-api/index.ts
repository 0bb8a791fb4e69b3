// The fake Kubernetes API server's public surface.
export { startFakeKubeApi, type FakeKubeApi, type FakeKubeApiOptions, type RecordedRequest } from './fake-kube-api.js';
export { FakeStore } from './store.js';
export { FaultInjector, type FaultSpec } from './faults.js';
export { DEFAULT_RESOURCES, type ResourceType } from './resources.js';
export type { JsonObject, JsonValue } from './json.js';
