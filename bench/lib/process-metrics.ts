// The daemon's own view of its memory, from prom-client's default process metrics on its
// /metrics: V8 heap in use and reserved, and memory outside the heap (Buffers, native).
// Read next to VmRSS, they tell a leak in JS objects from memory V8 or malloc kept.

export interface ProcessMemory {
  heapUsed: number;
  heapTotal: number;
  external: number;
}

function gauge(text: string, name: string): number {
  const m = new RegExp(`^${name}\\s+(\\S+)`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

export async function processMemory(base: string): Promise<ProcessMemory> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return {
    heapUsed: gauge(text, 'nodejs_heap_size_used_bytes'),
    heapTotal: gauge(text, 'nodejs_heap_size_total_bytes'),
    external: gauge(text, 'nodejs_external_memory_bytes'),
  };
}
