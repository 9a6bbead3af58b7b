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

/** The probe lives `ttlSeconds` from now (the relay applies its policy's maximum and audits the change). */
export async function extendProbe(session: RelaySession, state: RuntimeState, probeId: string, ttlSeconds: number): Promise<ProbeView> {
  const view = await session.request('probe.extend', { probeId, ttlSeconds });
  state.upsertProbe(view);
  return view;
}

/** A person lets an AI's proposal go live. */
export async function approveProbe(session: RelaySession, state: RuntimeState, probeId: string): Promise<ProbeView> {
  const view = await session.request('probe.approve', { probeId });
  state.upsertProbe(view);
  return view;
}

/** A person turns an AI's proposal down; it leaves the editor. */
export async function rejectProbe(session: RelaySession, state: RuntimeState, probeId: string, reason?: string): Promise<ProbeView> {
  const view = await session.request('probe.reject', { probeId, ...(reason ? { reason } : {}) });
  state.removeProbe(probeId);
  return view;
}
