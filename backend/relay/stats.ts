/** Counters worth knowing about a running relay; read through `Relay.stats()` and `/metrics`. */
export interface RelayStats {
  /** Evidence items stored (gap markers included). */
  evidenceStored: number;
  /** Evidence items dropped because their probe is unknown, removed, or not meant for the sending instance. */
  evidenceIgnored: number;
  /** Evidence items agents reported dropping (their bounded buffers overflowed). */
  agentDropped: number;
  /** Evidence items dropped from slow clients' send queues. */
  clientQueueDropped: number;
  /** Client requests received, by method. */
  requests: Record<string, number>;
  /** Requests refused by the per-token rate limit. */
  rateLimited: number;
  /** Requests refused by role, scope or the AI rule. */
  denied: number;
  /** Hellos refused for a bad token or agent key. */
  authFailures: number;
}

export function newStats(): RelayStats {
  return { evidenceStored: 0, evidenceIgnored: 0, agentDropped: 0, clientQueueDropped: 0, requests: {}, rateLimited: 0, denied: 0, authFailures: 0 };
}
