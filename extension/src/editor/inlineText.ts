import type { ServiceView } from '../../../backend/protocol';
import { plural, truncate } from '../../core/format';
import type { ProbeDisplay } from '../../core/probeDisplay';
import { evidenceLine } from '../../core/probeKinds';
import type { RuntimeState, TrackedProbe } from '../../core/runtimeState';
import { probeDisplay } from '../../core/probeDisplay';

export interface InlineText {
  text: string;
  /** Shown in the error colour instead of the evidence colour. */
  problem: boolean;
}

/** What follows a probed line: the latest evidence when there is some, else what the probe is waiting for. */
export function inlineText(probe: TrackedProbe, state: RuntimeState, maxLength: number, services: readonly ServiceView[] = state.services()): InlineText {
  const display: ProbeDisplay = probeDisplay(probe, services, state.evidence.count(probe.spec.id));
  const latest = state.evidence.latest(probe.spec.id);
  if (latest) {
    const hits = ` · ${plural(display.hits, 'hit')}`;
    return { text: `▸ ${truncate(evidenceLine(latest), Math.max(10, maxLength - hits.length))}${hits}`, problem: false };
  }
  switch (display.state) {
    case 'error':
      return { text: `⚠ ${truncate(display.label, maxLength)}`, problem: true };
    case 'expired':
      return { text: truncate(`⌛ ${display.label}`, maxLength), problem: false };
    case 'bound':
    case 'partial':
      return { text: truncate(`${display.label} · waiting for the first hit…`, maxLength), problem: false };
    default:
      return { text: truncate(`⏳ ${display.label}`, maxLength), problem: false };
  }
}
