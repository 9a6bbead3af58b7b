import { formatSnapshot, probeWhat, renderCaptured } from '../../../backend/cli/evidenceText';
import type { ProbeKindInfo } from '../probeKinds';

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
