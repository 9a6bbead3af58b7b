/** Counters worth knowing about a running relay; read through `Relay.stats()`. */
export interface RelayStats {
  /** Evidence items stored (gap markers included). */
  evidenceStored: number;
  /** Evidence items dropped because their probe is unknown, removed, or not meant for the sending instance. */
  evidenceIgnored: number;
  /** Evidence items dropped from slow clients' send queues. */
  clientQueueDropped: number;
}

export function newStats(): RelayStats {
  return { evidenceStored: 0, evidenceIgnored: 0, clientQueueDropped: 0 };
}
