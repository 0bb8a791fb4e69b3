// The objects whose presence says a suite is deployed: its namespace and the Deployments its
// rendered manifests create (checks/deployment.ts SuiteObjects). A suite without manifests
// (istio-upgrader, release-qualification: they act on what is already there) has none,
// and its "deployed" question is not asked.

import type { SuiteObjects } from '../../checks/deployment.js';
import type { Suite } from '../model.js';
import { renderManifests } from './render-manifests.js';

export async function suiteObjects(suite: Suite): Promise<SuiteObjects | undefined> {
  if (suite.manifests.length === 0) return undefined;
  const objects = await renderManifests(suite);
  const deployments: string[] = [];
  for (const o of objects) {
    if (o['kind'] !== 'Deployment') continue;
    const meta = o['metadata'] as { name: string; namespace?: unknown };
    const ns = typeof meta.namespace === 'string' ? meta.namespace : suite.namespace;
    deployments.push(ns === suite.namespace ? meta.name : `${ns}/${meta.name}`);
  }
  return { namespace: suite.namespace, deployments };
}
