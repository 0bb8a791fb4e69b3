// Per-suite series of a suite instance of a named cluster (issue 15) carry `suite` and
// `cluster`; a plain suite's series are exactly as before (no cluster label).
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/telemetry/metrics.js';
import { healthMetrics } from '../../../src/telemetry/health-metrics.js';

describe('metrics of suite instances', () => {
  it('split the instance id into suite and cluster; a plain suite gains no label', async () => {
    const m = createMetrics(new Registry(), 'test');
    m.setCheckState('east/http10', '5xx-rate', 'critical', 'failing');
    m.setCheckState('http10', '5xx-rate', 'critical', 'ok');
    m.tickDuration.observe({ suite: 'east/http10' }, 0.1);
    healthMetrics(m.registry).suiteStalled.set({ suite: 'west/mesh' }, 1);
    const text = await m.registry.metrics();
    expect(text).toContain('mesh_soak_check_failing{suite="http10",check="5xx-rate",severity="critical",cluster="east"} 1');
    expect(text).toContain('mesh_soak_check_failing{suite="http10",check="5xx-rate",severity="critical"} 0');
    expect(text).toContain('mesh_soak_tick_duration_seconds_count{suite="http10",cluster="east"} 1');
    expect(text).toContain('mesh_soak_suite_stalled{suite="mesh",cluster="west"} 1');
    expect(text).not.toContain('suite="east/');
    m.forgetSuite('east/http10');
    const after = await m.registry.metrics();
    expect(after).not.toContain('cluster="east"');
    expect(after).toContain('mesh_soak_check_failing{suite="http10",check="5xx-rate",severity="critical"} 0');
  });
});
