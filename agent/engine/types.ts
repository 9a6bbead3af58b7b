import type { ProbeStatusCode } from '../../backend/protocol/probe';
import type { PreparedProbe } from '../probe/prepare';

/** Where a probe bound, in the running code (1-based, as editors count); `original` when through a source map. */
export interface BoundLocation {
  url: string;
  line: number;
  column?: number;
  original?: { file: string; line: number };
}

/** What an engine reports about one probe; the probe manager adds instance, time and hit count. `code`: see ProbeStatusCode. */
export type EngineStatus =
  | { probeId: string; state: 'pending'; reason: string; code?: ProbeStatusCode }
  /** `reason`: why a probe runs where it does, when that is news (e.g. a breakpoint because injection was refused). */
  | { probeId: string; state: 'bound'; location: BoundLocation; tier: 'breakpoint' | 'inject'; reason?: string; code?: ProbeStatusCode }
  | { probeId: string; state: 'error'; reason: string; code?: ProbeStatusCode };

export type StatusCallback = (status: EngineStatus) => void;

/**
 * A way of running probes inside the program. The breakpoint tier is the first; a code-injection tier can
 * replace it behind this interface. Probes arrive prepared (parsed, checked); hits go to the main-thread hook.
 */
export interface ProbeEngine {
  /** Places the probe; reports pending/bound/error through the status callback (now or later). */
  add(probe: PreparedProbe): Promise<void>;
  /** Takes the probe out of the program; a no-op for unknown ids. */
  remove(probeId: string): Promise<void>;
  /** Removes every probe and stops listening; the engine is unusable afterwards. */
  dispose(): Promise<void>;
}
