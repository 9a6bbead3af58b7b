import type { Evidence, NewProbe, ProbeLifecycle, ProbeStatus, ProbeView } from '../../../backend/protocol';
import type { RuntimePort } from '../assistant/runtime';
import { assessReviewRisk, type ReviewApprover, type ReviewProposal } from './approval';
import type { ReviewEvent } from './events';

/** One probe the review wants, with what a person is told about it. */
export interface WantedProbe {
  key: string;
  probe: NewProbe;
  summary: string;
  reason: string;
  captured: readonly string[];
  /**
   * Placed after every earlier-phase probe has bound. Call timers go last, so their exits are placed once on the
   * function as the other probes left it (the agent re-places them after later edits, at a cost per edit).
   */
  phase?: 1 | 2;
}

/** What became of one wanted probe: its final lifecycle, the agents' statuses and the evidence it brought. */
export interface CollectedProbe {
  probeId?: string;
  state: ProbeLifecycle | 'not-placed';
  problem?: string;
  decidedBy?: string;
  statuses: ProbeStatus[];
  evidence: Evidence[];
}

export interface CollectOptions {
  runtime: RuntimePort;
  approver: ReviewApprover;
  service: string;
  windowMs: number;
  /** How long proposals may wait for a person (default 5 minutes). */
  approvalTimeoutMs?: number;
  /** How long live probes may take to report where they bound (default 5 s). */
  settleMs?: number;
  /** After the window, how long to wait for every bound counter's first metric window (default 7 s: one flush). */
  flushWaitMs?: number;
  onEvent?: (e: ReviewEvent) => void;
  signal?: AbortSignal;
  now?: () => number;
}

export interface Collected {
  probes: Map<string, CollectedProbe>;
  window: { start: number; end: number };
}

const POLL_MS = 200;

/**
 * Proposes every probe (as AI-origin proposals), lets the approver decide, waits for the live ones to bind,
 * collects for the window, and always removes what it placed — also when aborted or when something throws.
 */
export async function collectEvidence(wanted: readonly WantedProbe[], o: CollectOptions): Promise<Collected> {
  const now = o.now ?? Date.now;
  const emit = o.onEvent ?? (() => undefined);
  const out = new Map<string, CollectedProbe>();
  const views = new Map<string, ProbeView>();
  try {
    const expected = (await o.runtime.services()).find((s) => s.service === o.service)?.instances.filter((i) => i.connected).map((i) => i.instanceId) ?? [];
    for (const phase of [1, 2] as const) {
      const batch = wanted.filter((w) => (w.phase ?? 1) === phase);
      if (!batch.length || o.signal?.aborted) continue;
      const placed = await proposeBatch(batch, o, views, out);
      await waitFor(async () => {
        await refresh(o.runtime, o.service, views);
        return placed.every((k) => views.get(k)!.state !== 'proposed');
      }, o.approvalTimeoutMs ?? 5 * 60_000, o.signal);
      for (const k of placed) {
        const v = views.get(k)!;
        const decidedBy = v.approval?.decidedBy;
        emit({ type: 'decided', probeId: v.probe.id, state: v.state ?? 'live', ...(decidedBy ? { decidedBy } : {}) });
      }
      await waitFor(async () => {
        await refresh(o.runtime, o.service, views);
        return placed.map((k) => views.get(k)!).filter((v) => v.state === 'live').every((v) => expected.every((id) => v.statuses.some((s) => s.instanceId === id && (s.state !== 'pending' || s.code === 'not_loaded'))));
      }, o.settleMs ?? 5000, o.signal);
    }
    const start = now();
    const live = [...views.values()].filter((v) => v.state === 'live');
    if (live.length) {
      emit({ type: 'collecting', seconds: Math.round(o.windowMs / 1000), probes: live.length });
      await sleep(o.windowMs, o.signal);
    }
    const end = now();
    const counters = live.filter((v) => v.probe.kind === 'metric' && v.statuses.some((s) => s.state === 'bound'));
    const evidence = new Map<string, Evidence[]>();
    const load = async () => {
      for (const v of live) evidence.set(v.probe.id, await o.runtime.evidence(v.probe.id));
      return counters.every((v) => (evidence.get(v.probe.id) ?? []).some((e) => e.kind === 'metric'));
    };
    if (live.length) await waitFor(load, o.flushWaitMs ?? 7000, o.signal);
    await refresh(o.runtime, o.service, views);
    for (const w of wanted) {
      const v = views.get(w.key);
      if (!v) continue;
      out.set(w.key, {
        probeId: v.probe.id,
        state: v.state ?? 'live',
        ...(v.approval?.decidedBy ? { decidedBy: v.approval.decidedBy } : {}),
        ...(v.state === 'rejected' && v.approval?.reason ? { problem: `rejected by ${v.approval.decidedBy ?? 'a person'}: ${v.approval.reason}` } : {}),
        ...(v.state === 'proposed' ? { problem: 'nobody approved it in time' } : {}),
        statuses: v.statuses,
        evidence: (evidence.get(v.probe.id) ?? []).filter((e) => e.kind !== 'gap'),
      });
    }
    return { probes: out, window: { start, end } };
  } finally {
    let removed = 0;
    for (const v of views.values()) {
      try {
        await o.runtime.remove(v.probe.id);
        removed++;
      } catch {
        // already gone (expired, rejected and cleaned up): nothing left in the program
      }
    }
    if (views.size) emit({ type: 'removed', count: removed });
  }
}

/** Proposes a batch and lets the approver decide; returns the keys that became proposals. */
async function proposeBatch(batch: readonly WantedProbe[], o: CollectOptions, views: Map<string, ProbeView>, out: Map<string, CollectedProbe>): Promise<string[]> {
  const emit = o.onEvent ?? (() => undefined);
  const proposals: ReviewProposal[] = [];
  const placed: string[] = [];
  for (const w of batch) {
    try {
      const view = await o.runtime.propose(w.probe);
      views.set(w.key, view);
      placed.push(w.key);
      proposals.push({ view, summary: w.summary, reason: w.reason, risk: assessReviewRisk(w.probe, w.captured) });
      emit({ type: 'proposed', probeId: view.probe.id, summary: w.summary, state: view.state ?? 'live' });
    } catch (e) {
      out.set(w.key, { state: 'not-placed', problem: (e as Error).message, statuses: [], evidence: [] });
      emit({ type: 'note', text: `could not propose ${w.summary}: ${(e as Error).message}` });
    }
  }
  await o.approver.review(proposals);
  return placed;
}

async function refresh(runtime: RuntimePort, service: string, views: Map<string, ProbeView>): Promise<void> {
  const byId = new Map((await runtime.list(service)).map((v) => [v.probe.id, v]));
  for (const [key, v] of views) {
    const latest = byId.get(v.probe.id);
    if (latest) views.set(key, latest);
  }
}

/** Polls `done` until it holds, `ms` pass, or the signal fires (never throws for those). */
async function waitFor(done: () => Promise<boolean>, ms: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done()) && Date.now() < deadline && !signal?.aborted) await sleep(POLL_MS, signal);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
