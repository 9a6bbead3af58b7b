import type { Evidence, ProbeSpec } from '../../backend/protocol';
import { logpointKind } from './kinds/logpoint';
import { metricKind } from './kinds/metric';
import { snapshotKind } from './kinds/snapshot';

export type ProbeKindId = ProbeSpec['kind'];
export type SpecOf<K extends ProbeKindId> = Extract<ProbeSpec, { kind: K }>;
/** Evidence a probe kind produces (agents report it under the probe's own kind). */
export type EvidenceOf<K extends ProbeKindId> = Extract<Evidence, { kind: K }>;
export type ProbeEvidence = EvidenceOf<ProbeKindId>;

/**
 * How one kind of probe is presented. Every surface (inline text, hover, tree, panel, output) asks the
 * registry instead of switching on `kind`, so a new kind in the protocol (snapshot, metric) is one new entry:
 * the `satisfies` below stops compiling until it exists.
 */
export interface ProbeKindInfo<K extends ProbeKindId> {
  kind: K;
  /** 'Logpoint' */
  label: string;
  /** A codicon name for trees and quick picks. */
  icon: string;
  /** The command that places one from the editor. */
  addCommand: string;
  /** What the probe does, in one line: `log "amount={amount}"`. */
  summary(spec: SpecOf<K>): string;
  /** One piece of evidence as one line, for inline text and stream rows. */
  evidenceLine(evidence: EvidenceOf<K>): string;
  /** The same evidence in full (multi-line allowed), for hovers and detail views. */
  evidenceDetail(evidence: EvidenceOf<K>): string;
}

export const probeKinds = {
  log: logpointKind,
  snapshot: snapshotKind,
  metric: metricKind,
} as const satisfies { [K in ProbeKindId]: ProbeKindInfo<K> };

// The registry is indexed by the same discriminant it is typed by; this one cast is where that is stated.
const kindInfo = (kind: ProbeKindId) => probeKinds[kind] as ProbeKindInfo<ProbeKindId>;

export const kindLabel = (spec: ProbeSpec): string => kindInfo(spec.kind).label;
export const probeSummary = (spec: ProbeSpec): string => kindInfo(spec.kind).summary(spec);
export const isProbeEvidence = (e: Evidence): e is ProbeEvidence => e.kind !== 'gap';

/** One line for any evidence, including the relay's and agents' gap markers. */
export function evidenceLine(e: Evidence): string {
  if (!isProbeEvidence(e)) return `— ${e.count} event(s) dropped (${e.where}) —`;
  return kindInfo(e.kind).evidenceLine(e);
}

export function evidenceDetail(e: Evidence): string {
  if (!isProbeEvidence(e)) return evidenceLine(e);
  return kindInfo(e.kind).evidenceDetail(e);
}
