import { SNAPSHOT_DEFAULTS, type SnapshotLimits } from '../../backend/protocol/probe';

/** Every limit of one snapshot, defaults filled in (the protocol already capped each at its maximum). */
export type Limits = { -readonly [K in keyof typeof SNAPSHOT_DEFAULTS]: number };

export function resolveLimits(limits: SnapshotLimits | undefined): Limits {
  const out: Limits = { ...SNAPSHOT_DEFAULTS };
  for (const key of Object.keys(out) as Array<keyof Limits>) {
    const v = limits?.[key];
    if (v !== undefined) out[key] = v;
  }
  out.expandFrames = Math.min(out.expandFrames, out.maxFrames);
  return out;
}

/** Limits covering all of `all`: one read of a pause serves every probe that paused there. */
export function widest(all: Limits[]): Limits {
  const out = { ...all[0]! };
  for (const l of all.slice(1)) for (const key of Object.keys(out) as Array<keyof Limits>) out[key] = Math.max(out[key], l[key]);
  return out;
}

/** Time a watch expression may run while the program is paused (V8 terminates it after this). */
export const WATCH_TIMEOUT_MS = 20;
/** Objects expanded per level while paused: past this, deeper values come from previews (bounded pause). */
export const MAX_EXPANSIONS_PER_LEVEL = 64;
/** Scope kinds whose variables are "locals": not closures, modules or globals (huge, and rarely what is asked). */
export const LOCAL_SCOPES: ReadonlySet<string> = new Set(['local', 'block', 'catch']);
