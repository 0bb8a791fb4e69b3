// Evidence captured when a check starts failing: the events and pod statuses of the suite's
// namespace(s), as the Kubernetes API showed them at that moment, kept in the run ledger for
// the report. Bounded three ways — how many events and pods, how many bytes per text, and how
// often one check may capture (so a flapping check does not capture every tick). Pure: the
// shape, the bounds and the clipping; adapters/kube/evidence.ts reads the API and
// daemon/evidence.ts fires the capture beside the tick.
//
// May import: nothing outside verdict/.

/** What a capture saw. Texts are clipped to EvidenceBounds.maxTextBytes. */
export interface Evidence {
  /** Newest first, at most maxEvents. */
  events: Array<{ at: string; type: string; reason: string; object: string; message: string }>;
  /** By name, at most maxPods; `ns/name` when several namespaces were read. */
  pods: Array<{ name: string; phase: string; ready: string; restarts: number; reason?: string }>;
  /** Why nothing or only part could be captured (API unreachable, timeout, capped). */
  note?: string;
  /** The namespaces read (absent in entries written before it was recorded). */
  namespaces?: string[];
}

export interface EvidenceBounds {
  /** Events kept per capture (the newest), across its namespaces. */
  maxEvents: number;
  /** Pods kept per capture (by name), across its namespaces. */
  maxPods: number;
  /** Bytes of one text (an event's message, a reason, a name), UTF-8; longer ones are cut with "…" (a note: 4×). */
  maxTextBytes: number;
  /** One capture per check per this long; a check failing again sooner gets none. */
  minIntervalMs: number;
  /** A capture that has not answered by then is recorded as such. */
  timeoutMs: number;
  /** Namespaces read per capture (the suite's own first). */
  maxNamespaces: number;
}

export const DEFAULT_EVIDENCE_BOUNDS: EvidenceBounds = {
  maxEvents: 20,
  maxPods: 30,
  maxTextBytes: 512,
  minIntervalMs: 10 * 60_000,
  timeoutMs: 10_000,
  maxNamespaces: 3,
};

const ELLIPSIS = '…';

/** `text` cut to at most `maxBytes` UTF-8 bytes (ending in "…" when cut), never splitting a character. */
export function clipText(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const budget = Math.max(0, maxBytes - Buffer.byteLength(ELLIPSIS));
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > budget) break;
    bytes += n;
    end += ch.length;
  }
  return text.slice(0, end) + ELLIPSIS;
}

/** Evidence within the bounds: newest events, first pods by name, every text clipped; what was left out is noted. */
export function boundEvidence(e: Evidence, b: EvidenceBounds): Evidence {
  const clip = (s: string): string => clipText(s, b.maxTextBytes);
  const events = [...e.events].sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0));
  const pods = [...e.pods].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const notes = [
    e.note,
    events.length > b.maxEvents ? `${events.length - b.maxEvents} older event(s) left out` : undefined,
    pods.length > b.maxPods ? `${pods.length - b.maxPods} pod(s) left out` : undefined,
  ].filter((n): n is string => n !== undefined && n !== '');
  return {
    events: events.slice(0, b.maxEvents).map((x) => ({ at: clip(x.at), type: clip(x.type), reason: clip(x.reason), object: clip(x.object), message: clip(x.message) })),
    pods: pods.slice(0, b.maxPods).map((p) => ({
      name: clip(p.name),
      phase: clip(p.phase),
      ready: clip(p.ready),
      restarts: p.restarts,
      ...(p.reason !== undefined ? { reason: clip(p.reason) } : {}),
    })),
    // A note says why something is missing: it gets more room than one text.
    ...(notes.length > 0 ? { note: clipText(notes.join('; '), 4 * b.maxTextBytes) } : {}),
    ...(e.namespaces ? { namespaces: e.namespaces.map(clip) } : {}),
  };
}

/** Evidence that could not be captured: no events, no pods, and why. */
export function evidenceFailure(namespaces: string[], why: string, b: EvidenceBounds): Evidence {
  return boundEvidence({ events: [], pods: [], note: `not captured: ${why}`, namespaces }, b);
}

/** The namespaces a suite's evidence comes from: its own, then those its steps name; at most `max`. */
export function evidenceNamespaces(own: string | undefined, stepNamespaces: Array<string | undefined>, max: number): string[] {
  const out: string[] = [];
  for (const ns of [own, ...stepNamespaces]) {
    if (ns && !ns.includes('{{') && !out.includes(ns) && out.length < max) out.push(ns);
  }
  return out;
}
