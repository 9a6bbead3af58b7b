import type { ConnectionRow, EvidenceRow, HostMessage, ProbeRow, ServiceRow } from './protocol';

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
  tab: 'evidence' | 'probes' | 'services';
}

export const initialState = (filters: Filters = NO_FILTERS): PanelState => ({ connection: undefined, services: [], probes: [], evidence: [], filters, tab: 'evidence' });

/** Applies one host message. Pure (no DOM), so it is unit-tested in Node. */
export function reduce(state: PanelState, message: HostMessage): PanelState {
  switch (message.type) {
    case 'state':
      return { ...state, connection: message.connection, services: message.services, probes: message.probes };
    case 'evidence': {
      const base = message.reset ? [] : state.evidence;
      const seen = new Set(base.map((r) => r.key));
      const merged = [...base, ...message.rows.filter((r) => !seen.has(r.key))];
      return { ...state, evidence: merged.length > MAX_ROWS ? merged.slice(-MAX_ROWS) : merged };
    }
    case 'focusProbe':
      return { ...state, tab: 'evidence', filters: { ...NO_FILTERS, probeId: message.probeId } };
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
