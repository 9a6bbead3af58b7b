/** Reconnect delays: quick at first (a relay restart takes a moment), then settling at `maxMs`, with jitter so many
 * windows do not reconnect in lockstep. `attempt` counts from 1. */
export function reconnectDelay(attempt: number, { baseMs = 250, maxMs = 10_000, random = Math.random } = {}): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.8 + 0.4 * random()));
}
