/** Counters worth knowing about a running relay; read through `Relay.stats()` and `/metrics`. */
export interface RelayStats {
  /** Evidence items stored (gap markers included). */
  evidenceStored: number;
  /** Evidence items dropped because their probe is unknown, removed, or not meant for the sending instance. */
  evidenceIgnored: number;
  /** Evidence items agents reported dropping (their bounded buffers overflowed). */
  agentDropped: number;
  /** Evidence items in batches an agent re-sent after a reconnect that were already stored (acked again, not stored twice). */
  evidenceDuplicates: number;
  /** Evidence items deleted by retention, by the limit that asked for it. */
  evidencePruned: { age: number; items: number; bytes: number };
  /** Failed-authentication audit entries folded into a summary entry (a flood cannot grow the audit log without bound). */
  authFailuresUnaudited: number;
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
  return {
    evidenceStored: 0,
    evidenceIgnored: 0,
    agentDropped: 0,
    evidenceDuplicates: 0,
    evidencePruned: { age: 0, items: 0, bytes: 0 },
    authFailuresUnaudited: 0,
    clientQueueDropped: 0,
    requests: {},
    rateLimited: 0,
    denied: 0,
    authFailures: 0,
  };
}
