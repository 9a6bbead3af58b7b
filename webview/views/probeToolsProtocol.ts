/**
 * The snapshot explorer, metric charts and probe actions' part of the panel protocol: plain data both sides
 * import (webview/protocol.ts re-uses these). No vscode, no DOM, no zod.
 */

/** One captured value as the explorer shows it; `children` are rendered only when the node is expanded. */
export interface ValueNode {
  name: string;
  /** The JS type or class. */
  type: string;
  /** One line: the value, or the object's preview. */
  text: string;
  children?: ValueNode[];
  /** Why the value is incomplete: some children/characters left out, withheld by redaction, or a getter never run. */
  note?: 'truncated' | 'redacted' | 'accessor';
}

export interface FrameNode {
  function: string;
  /** `…/checkout/src/validate.js:13`: long paths keep their last segments. */
  location: string;
  /** The whole path and position, for a tooltip. */
  fullLocation: string;
  /** Only the top frames have captured locals. */
  locals?: ValueNode[];
}

export interface SnapshotDetail {
  evidenceId: number;
  probeId: string;
  /** Where the probe is (`src/validate.js:13`). */
  location: string;
  service: string;
  instance: string;
  at: string;
  time: string;
  frames: FrameNode[];
  watches: ValueNode[];
  truncated: boolean;
  pauseMs?: number;
}

/** One metric probe's recent windows, newest last, for a small chart. */
export interface MetricSeriesRow {
  probeId: string;
  location: string;
  /** `count`, `value(order.total)`, `duration to line 20`. */
  label: string;
  /** What each point is: `hits / window`, `p50 ms`, `mean`. */
  measure: string;
  points: number[];
  /** The newest window in words: `count=12 in 5.0s`. */
  latest: string;
  min: number;
  max: number;
}

/** What the signed-in token may do; `why` explains hidden or disabled actions. */
export interface PermissionsRow {
  operate: boolean;
  decide: boolean;
  why?: string;
}

export type ProbeCommand = 'extend' | 'approve' | 'reject';
const COMMANDS: readonly ProbeCommand[] = ['extend', 'approve', 'reject'];

export const isProbeCommand = (v: unknown): v is ProbeCommand => COMMANDS.includes(v as ProbeCommand);
