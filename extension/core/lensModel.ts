import { plural } from './format';
import type { ProbeDisplay } from './probeDisplay';
import { kindLabel } from './probeKinds';
import type { TrackedProbe } from './runtimeState';

/** One CodeLens above a probed line: its text and the command it runs with the probe id. */
export interface LensModel {
  title: string;
  command: string;
  tooltip: string;
}

/**
 * The lenses over a probed line: `Snapshot · 3 hits · open in panel` (and, for an AI proposal, approve /
 * reject). Kept short: the hover and the panel have the detail.
 */
export function probeLenses(probe: TrackedProbe, display: ProbeDisplay): LensModel[] {
  const kind = kindLabel(probe.spec);
  if (display.state === 'proposed') {
    return [
      { title: `$(lightbulb) AI proposal: ${kind.toLowerCase()}`, command: 'runtruth.openPanel', tooltip: 'Proposed by an AI assistant; it runs only once a person approves it' },
      { title: 'Approve', command: 'runtruth.approveProbe', tooltip: 'Let this probe go live (needs the operator role)' },
      { title: 'Reject', command: 'runtruth.rejectProbe', tooltip: 'Turn the proposal down' },
    ];
  }
  const state = display.state === 'bound' ? '' : ` · ${display.label.split(':')[0]}`;
  return [{ title: `$(pulse) ${kind} · ${plural(display.hits, 'hit')}${state} · open in panel`, command: 'runtruth.openPanel', tooltip: `${display.label}: open its evidence in the Runtruth panel` }];
}
