/**
 * Messages between the extension host and the side panel webview, imported by both sides (GitLens-style):
 * one definition, so neither side can drift. Plain data only: no vscode, no DOM, no zod in the browser bundle.
 * The host validates what the webview sends with `parsePanelMessage`; the webview trusts the host.
 */

import { parseInvestigationAction, type InvestigationAction, type InvestigationView } from './views/investigationProtocol';
import { isProbeCommand, type MetricSeriesRow, type PermissionsRow, type ProbeCommand, type SnapshotDetail } from './views/probeToolsProtocol';

export type { FrameNode, MetricSeriesRow, PermissionsRow, ProbeCommand, SnapshotDetail, ValueNode } from './views/probeToolsProtocol';

export type PanelProbeState = 'pending' | 'bound' | 'partial' | 'error' | 'expired' | 'proposed';
export type PanelAction = 'signIn' | 'openSettings' | 'retry';

export interface ConnectionRow {
  status: 'signedOut' | 'connecting' | 'connected' | 'retrying' | 'failed';
  /** One sentence for the banner. */
  text: string;
  relay: string;
  actions: PanelAction[];
  liveAgents: number;
}

export interface InstanceRow {
  instanceId: string;
  connected: boolean;
  pid: number;
  host: string;
  nodeVersion: string;
  mode: string;
  /** Short deployed commit, when the agent could tell. */
  commit?: string;
  labels: string;
  lastSeen: string;
}

export interface ServiceRow {
  service: string;
  live: number;
  instances: InstanceRow[];
}

export interface ProbeInstanceRow {
  instanceId: string;
  state: string;
  hits?: number;
  reason?: string;
}

export interface ProbeRow {
  probeId: string;
  kind: string;
  kindLabel: string;
  /** `src/validate.js:13` */
  location: string;
  service: string;
  summary: string;
  state: PanelProbeState;
  stateLabel: string;
  hits: number;
  expires: string;
  instances: ProbeInstanceRow[];
}

export interface EvidenceRow {
  /** Unique per row (store id, or a generated key for gap markers). */
  key: string;
  probeId?: string;
  service?: string;
  instance?: string;
  /** ISO time and its display form. */
  at: string;
  time: string;
  location?: string;
  text: string;
  gap: boolean;
  /** The evidence kind (`log`, `snapshot`, `metric`) and store id: snapshot rows open in the explorer. */
  kind?: string;
  evidenceId?: number;
}

export type HostMessage =
  | { type: 'state'; connection: ConnectionRow; services: ServiceRow[]; probes: ProbeRow[]; permissions?: PermissionsRow; metrics?: MetricSeriesRow[] }
  /** One snapshot in full, for the explorer (the latest of the probe in view, or the one the panel asked for). */
  | { type: 'snapshot'; snapshot: SnapshotDetail }
  /** New evidence, oldest first; `reset` replaces what the panel holds (first render, reconnect). */
  | { type: 'evidence'; rows: EvidenceRow[]; reset: boolean }
  /** Show one probe's evidence ("Open in panel" from a hover or the tree). */
  | { type: 'focusProbe'; probeId: string }
  /** The Investigation tab's whole view (webview/views/investigationProtocol.ts); `select` brings the tab forward. */
  | { type: 'investigation'; view: InvestigationView; select?: boolean };

export type PanelMessage =
  | { type: 'ready' }
  /** Sent after each render: what the user can now see (lets the host, and tests, know the panel is live). */
  | { type: 'rendered'; probes: string[]; services: string[]; evidence: number; newestEvidence?: string; snapshot?: SnapshotReport; charts?: string[]; actions?: string[]; notice?: string }
  /** Extend a probe's TTL, or approve / reject an AI proposal (the host runs the same commands as the editor). */
  | { type: 'probeCommand'; command: ProbeCommand; probeId: string }
  /** Show this stored snapshot in the explorer. */
  | { type: 'openSnapshot'; evidenceId: number }
  | { type: 'removeProbe'; probeId: string }
  | { type: 'revealProbe'; probeId: string }
  | { type: 'action'; action: PanelAction }
  /** Something the person did in the Investigation tab. */
  | { type: 'investigationAction'; action: InvestigationAction };

/** What the snapshot explorer shows: its capture, the top frame and the values visible at its first level. */
export interface SnapshotReport {
  evidenceId: number;
  probeId: string;
  frames: number;
  /** `name=text` of the top frame's locals and the watches. */
  values: string[];
}

const PROBE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ACTIONS: readonly PanelAction[] = ['signIn', 'openSettings', 'retry'];
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Validates a message from the webview (a browser context: treat as untrusted input). */
export function parsePanelMessage(value: unknown): PanelMessage | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'rendered':
      if (!isStringArray(m.probes) || !isStringArray(m.services) || typeof m.evidence !== 'number') return undefined;
      return {
        type: 'rendered',
        probes: m.probes,
        services: m.services,
        evidence: m.evidence,
        ...(typeof m.newestEvidence === 'string' ? { newestEvidence: m.newestEvidence } : {}),
        ...(isSnapshotReport(m.snapshot) ? { snapshot: m.snapshot } : {}),
        ...(isStringArray(m.charts) ? { charts: m.charts } : {}),
        ...(isStringArray(m.actions) ? { actions: m.actions } : {}),
        ...(typeof m.notice === 'string' ? { notice: m.notice } : {}),
      };
    case 'probeCommand':
      return isProbeCommand(m.command) && typeof m.probeId === 'string' && PROBE_ID.test(m.probeId) ? { type: 'probeCommand', command: m.command, probeId: m.probeId } : undefined;
    case 'openSnapshot':
      return Number.isSafeInteger(m.evidenceId) && (m.evidenceId as number) > 0 ? { type: 'openSnapshot', evidenceId: m.evidenceId as number } : undefined;
    case 'removeProbe':
    case 'revealProbe':
      return typeof m.probeId === 'string' && PROBE_ID.test(m.probeId) ? { type: m.type, probeId: m.probeId } : undefined;
    case 'action':
      return ACTIONS.includes(m.action as PanelAction) ? { type: 'action', action: m.action as PanelAction } : undefined;
    case 'investigationAction': {
      const action = parseInvestigationAction(m.action);
      return action ? { type: 'investigationAction', action } : undefined;
    }
    default:
      return undefined;
  }
}

function isSnapshotReport(v: unknown): v is SnapshotReport {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return Number.isSafeInteger(r.evidenceId) && typeof r.probeId === 'string' && Number.isSafeInteger(r.frames) && isStringArray(r.values);
}
