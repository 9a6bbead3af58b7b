import type { ConnectionRow, EvidenceRow, HostMessage, MetricSeriesRow, PermissionsRow, ProbeRow, ServiceRow, SnapshotDetail } from './protocol';

/** The panel keeps this many evidence rows; older ones scroll out (the relay keeps them all). */
export const MAX_ROWS = 1000;

export interface Filters {
  probeId: string;
  service: string;
  instance: string;
  text: string;
}

export const NO_FILTERS: Filters = { probeId: '', service: '', instance: '', text: '' };

export interface PanelState {
  connection: ConnectionRow | undefined;
  services: ServiceRow[];
  probes: ProbeRow[];
  /** Oldest first, as received. */
  evidence: EvidenceRow[];
  filters: Filters;
  tab: 'evidence' | 'snapshots' | 'metrics' | 'probes' | 'services' | 'investigation';
  /** What the token may do (absent until the first state message: act as if nothing is allowed). */
  permissions?: PermissionsRow;
  metrics: MetricSeriesRow[];
  /** The capture in the snapshot explorer. */
  snapshot?: SnapshotDetail;
}

export const initialState = (filters: Filters = NO_FILTERS): PanelState => ({ connection: undefined, services: [], probes: [], evidence: [], filters, tab: 'evidence', metrics: [] });

/** Applies one host message. Pure (no DOM), so it is unit-tested in Node. */
export function reduce(state: PanelState, message: HostMessage): PanelState {
  switch (message.type) {
    case 'state':
      return {
        ...state,
        connection: message.connection,
        services: message.services,
        probes: message.probes,
        metrics: message.metrics ?? [],
        ...(message.permissions ? { permissions: message.permissions } : {}),
      };
    case 'snapshot':
      return { ...state, snapshot: message.snapshot };
    case 'evidence': {
      const base = message.reset ? [] : state.evidence;
      const seen = new Set(base.map((r) => r.key));
      const merged = [...base, ...message.rows.filter((r) => !seen.has(r.key))];
      return { ...state, evidence: merged.length > MAX_ROWS ? merged.slice(-MAX_ROWS) : merged };
    }
    case 'focusProbe': {
      // a snapshot opens in the explorer, a metric on its chart; the stream is filtered to the probe either way
      const kind = state.probes.find((p) => p.probeId === message.probeId)?.kind;
      const tab = kind === 'snapshot' ? 'snapshots' : kind === 'metric' ? 'metrics' : 'evidence';
      return { ...state, tab, filters: { ...NO_FILTERS, probeId: message.probeId } };
    }
    case 'investigation':
      return state; // the Investigation tab keeps its own view (webview/views/investigationView.ts)
  }
}

/** The rows the stream shows, newest first. Text matches message, location, service and instance, ignoring case. */
export function visibleEvidence(state: PanelState, limit = 300): EvidenceRow[] {
  const { probeId, service, instance, text } = state.filters;
  const needle = text.trim().toLowerCase();
  const out: EvidenceRow[] = [];
  for (let i = state.evidence.length - 1; i >= 0 && out.length < limit; i--) {
    const row = state.evidence[i]!;
    if (probeId && row.probeId !== probeId) continue;
    if (service && row.service !== service) continue;
    if (instance && row.instance !== instance) continue;
    if (needle && ![row.text, row.location, row.service, row.instance].some((f) => f?.toLowerCase().includes(needle))) continue;
    out.push(row);
  }
  return out;
}

/** Choices for the filter dropdowns: what is known now plus whatever the current filter names (so it stays visible). */
export function filterChoices(state: PanelState): { probes: Array<[string, string]>; services: string[]; instances: string[] } {
  const services = new Set(state.services.map((s) => s.service));
  const instances = new Set(state.services.flatMap((s) => s.instances.map((i) => i.instanceId)));
  for (const row of state.evidence) {
    if (row.service) services.add(row.service);
    if (row.instance) instances.add(row.instance);
  }
  const probes: Array<[string, string]> = state.probes.map((p) => [p.probeId, `${p.location} (${p.probeId})`]);
  if (state.filters.probeId && !probes.some(([id]) => id === state.filters.probeId)) probes.push([state.filters.probeId, state.filters.probeId]);
  return { probes, services: [...services].sort(), instances: [...instances].sort() };
}

/** Snapshot captures in the stream, newest first: the explorer's list to pick from. */
export function snapshotRows(state: PanelState, limit = 20): EvidenceRow[] {
  const out: EvidenceRow[] = [];
  for (let i = state.evidence.length - 1; i >= 0 && out.length < limit; i--) {
    const row = state.evidence[i]!;
    if (row.kind === 'snapshot' && row.evidenceId !== undefined) out.push(row);
  }
  return out;
}
