import { formatSnapshot, probeWhat, renderCaptured } from '../../../backend/cli/evidenceText';
import type { NewProbe } from '../../../backend/protocol';
import type { ProbeKindInfo } from '../probeKinds';
import { commonFields, type ProbeInputCommon } from '../probeInput';

/** Snapshots: inline shows the top frame's locals on one line; the hover shows the whole capture. */
export const snapshotKind: ProbeKindInfo<'snapshot'> = {
  kind: 'snapshot',
  label: 'Snapshot',
  icon: 'device-camera',
  addCommand: 'runtruth.addSnapshot',
  summary: (spec) => `${probeWhat(spec)}${spec.condition ? ` if ${spec.condition}` : ''}`,
  evidenceLine: (e) => {
    const locals = (e.frames[0]?.locals ?? []).map((l) => `${l.name ?? '?'}=${renderCaptured(l, 60)}`);
    const watches = (e.watches ?? []).map((w) => `${w.expression}=${w.value ? renderCaptured(w.value, 60) : '<error>'}`);
    return [...watches, ...locals].join(' ') || 'snapshot (no locals)';
  },
  evidenceDetail: (e) => formatSnapshot(e),
};

/** The `probe.add` payload for a snapshot (watches optional; a snapshot takes one hit unless maxHits says more). */
export function newSnapshot(input: ProbeInputCommon & { watches?: readonly string[] }): NewProbe {
  const watches = (input.watches ?? []).map((w) => w.trim()).filter(Boolean);
  return { kind: 'snapshot', ...commonFields(input), ...(watches.length ? { watches } : {}) };
}
