import type { NewProbe, ProbeView } from '../../backend/protocol';
import type { RelaySession } from './connection';
import type { Placement, RuntimeState } from './runtimeState';

/** Places a probe and records it (with where it was placed) before any status push can be missed. */
export async function placeProbe(session: RelaySession, state: RuntimeState, probe: NewProbe, placement?: Placement): Promise<ProbeView> {
  const view = await session.request('probe.add', { probe });
  state.upsertProbe(view, placement);
  return view;
}

/** Removes a probe on the relay (an already-expired one only locally). */
export async function removeProbe(session: RelaySession | undefined, state: RuntimeState, probeId: string): Promise<void> {
  const probe = state.probe(probeId);
  if (probe?.expired || !session) {
    if (!probe?.expired) throw new Error('Not connected to the relay: the probe cannot be removed right now.');
    state.removeProbe(probeId);
    return;
  }
  await session.request('probe.remove', { probeId });
  state.removeProbe(probeId);
}
