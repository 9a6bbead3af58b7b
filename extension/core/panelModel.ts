import type { Evidence, ServiceView } from '../../backend/protocol';
import type { ConnectionRow, EvidenceRow, PanelProbeState, ProbeRow, ServiceRow } from '../../webview/protocol';
import type { ConnectionState } from './connection';
import { clockTime, relativeTime, shortCommit } from './format';
import { instanceHits, probeDisplay, type DisplayState } from './probeDisplay';
import { evidenceLine, kindLabel, probeSummary } from './probeKinds';
import type { RuntimeState, TrackedProbe } from './runtimeState';

// The panel's state union must stay the display states: this line stops compiling if either drifts.
const sameStates: [DisplayState, PanelProbeState] extends [PanelProbeState, DisplayState] ? true : never = true;
void sameStates;

/** The view models the side panel renders: computed on the host so the webview stays a thin renderer. */
export function connectionRow(state: ConnectionState, liveAgents: number): ConnectionRow {
  const base = { relay: state.relay, liveAgents };
  switch (state.status) {
    case 'signedOut':
      return { ...base, status: state.status, text: 'Not signed in. Sign in with a relay token to see your services.', actions: ['signIn', 'openSettings'] };
    case 'connecting':
      return { ...base, status: state.status, text: `Connecting to ${state.relay}…`, actions: [] };
    case 'connected':
      return { ...base, status: state.status, text: `Connected to ${state.relay} as ${state.identity.name} · ${liveAgents} live agent${liveAgents === 1 ? '' : 's'}`, actions: [] };
    case 'retrying':
      return { ...base, status: state.status, text: `${state.error.message} Retrying…`, actions: ['retry', 'openSettings'] };
    case 'failed':
      return { ...base, status: state.status, text: state.error.message, actions: state.error.actions.filter((a): a is 'signIn' | 'openSettings' => a === 'signIn' || a === 'openSettings') };
  }
}

export function serviceRows(services: readonly ServiceView[]): ServiceRow[] {
  return services.map((s) => ({
    service: s.service,
    live: s.instances.filter((i) => i.connected).length,
    instances: s.instances.map((i) => ({
      instanceId: i.instanceId,
      connected: i.connected,
      pid: i.pid,
      host: i.host,
      nodeVersion: i.runtime.version,
      mode: i.mode,
      ...(i.commit ? { commit: shortCommit(i.commit)! } : {}),
      labels: Object.entries(i.labels).map(([k, v]) => `${k}=${v}`).join(', '),
      lastSeen: i.lastSeenAt,
    })),
  }));
}

export function probeRow(probe: TrackedProbe, state: RuntimeState, now = Date.now()): ProbeRow {
  const display = probeDisplay(probe, state.services(), state.evidence.count(probe.spec.id));
  return {
    probeId: probe.spec.id,
    kind: probe.spec.kind,
    kindLabel: kindLabel(probe.spec),
    location: `${probe.spec.file}:${probe.spec.line}`,
    service: probe.spec.selector.service,
    summary: probeSummary(probe.spec),
    state: display.state,
    stateLabel: display.label,
    hits: display.hits,
    expires: probe.expired ? 'expired' : `expires ${relativeTime(probe.spec.expiresAt, now)}`,
    instances: probe.statuses.map((s) => ({ instanceId: s.instanceId, state: s.state, hits: instanceHits(s, state.evidence), ...(s.reason ? { reason: s.reason } : {}) })),
  };
}

export function evidenceRow(e: Evidence, state: RuntimeState): EvidenceRow {
  if (e.kind === 'gap') {
    return { key: `gap-${e.at}-${e.count}-${e.where}`, at: e.at, time: clockTime(e.at), text: evidenceLine(e), gap: true, ...(e.probeId ? { probeId: e.probeId } : {}), ...(e.service ? { service: e.service } : {}), ...(e.instance ? { instance: e.instance } : {}) };
  }
  const spec = state.probe(e.probeId)?.spec;
  return {
    key: String(e.id),
    probeId: e.probeId,
    service: e.service,
    instance: e.instance,
    at: e.at,
    time: clockTime(e.at),
    ...(spec ? { location: `${spec.file}:${spec.line}` } : {}),
    text: evidenceLine(e),
    gap: false,
    kind: e.kind,
    evidenceId: e.id,
  };
}
