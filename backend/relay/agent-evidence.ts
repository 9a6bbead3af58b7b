import type { z } from 'zod';
import { selectorMatches, type AgentEvidenceMsg, type InstanceInfo } from '../protocol';
import type { Link } from './connection';
import type { UnstoredEvidence } from './evidence-filter';
import type { EvidenceIngest } from './evidence-ingest';
import type { ProbeBook } from './probes';
import type { RelayStats } from './stats';
import type { EvidenceStreamStore } from './store-streams';

/** Acks to one agent are sent at most this often (cumulative: the newest covers the rest), sparing a frame per batch under load. */
export const ACK_INTERVAL_MS = 1000;

export interface AgentEvidenceDeps {
  probes: Pick<ProbeBook, 'get'>;
  ingest: EvidenceIngest;
  streams: EvidenceStreamStore;
  stats: RelayStats;
  log: (line: string) => void;
  now?: () => Date;
}

/**
 * One agent connection's evidence: keeps what belongs to the instance's probes, stores it (group-committed) and,
 * for an agent that numbers its batches, acks each once stored. A batch re-sent after a reconnect (the relay
 * restarted or the link dropped before the ack) is recognised by its number and acked again, not stored twice.
 */
export class AgentEvidenceReceiver {
  private lastSeq = 0;
  private warnedIgnored = false;
  /** Inside an ack window: the newest stored seq waiting to be acked at its end (0: none). */
  private ackTimer: NodeJS.Timeout | undefined;
  private ackDue = 0;
  private closed = false;

  constructor(
    private readonly instance: InstanceInfo,
    private readonly stream: string | undefined,
    private readonly link: Pick<Link, 'send'>,
    private readonly deps: AgentEvidenceDeps,
  ) {
    if (stream === undefined) return;
    // an earlier connection of this instance may still have batches waiting for the group commit
    deps.ingest.flush();
    deps.streams.forgetOtherStreams(instance.instanceId, stream);
    this.lastSeq = deps.streams.lastSeq(instance.instanceId, stream);
  }

  receive(message: z.infer<typeof AgentEvidenceMsg>): void {
    const { service, instanceId: instance } = this.instance;
    const seq = this.stream === undefined ? undefined : message.seq;
    if (seq !== undefined && seq <= this.lastSeq) {
      this.deps.stats.evidenceDuplicates += message.items.length;
      this.deps.ingest.add([], { instanceId: instance, dropped: 0, committed: () => this.ack(seq), ackKey: this });
      return;
    }
    if (seq !== undefined) this.lastSeq = seq;
    const dropped = message.dropped ?? 0;
    const batch: UnstoredEvidence[] = [];
    if (dropped) {
      this.deps.stats.agentDropped += dropped;
      batch.push({ kind: 'gap', at: this.now().toISOString(), count: dropped, where: 'agent', service, instance });
    }
    let ignored = 0;
    for (const item of message.items) {
      const probe = this.deps.probes.get(item.probeId);
      if (probe && selectorMatches(probe.selector, this.instance)) batch.push({ ...item, service, instance });
      else ignored++;
    }
    if (ignored > 0) {
      this.deps.stats.evidenceIgnored += ignored;
      if (!this.warnedIgnored) {
        this.warnedIgnored = true;
        this.deps.log(`agent ${service}/${instance}: ignoring evidence for probes it does not hold (reported once per connection)`);
      }
    }
    this.deps.ingest.add(batch, {
      instanceId: instance,
      dropped,
      ...(seq === undefined ? {} : { stream: this.stream, seq, committed: () => this.ack(seq), ackKey: this }),
    });
  }

  /** Stops acking (the connection ended): batches stored but not acked are re-sent by the agent, and acked again then. */
  close(): void {
    this.closed = true;
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
  }

  /** The first ack goes at once; those within the next ACK_INTERVAL_MS fold into one at its end. */
  private ack(seq: number): void {
    if (this.closed) return;
    if (this.ackTimer) {
      this.ackDue = Math.max(this.ackDue, seq);
      return;
    }
    this.link.send({ type: 'evidence.ack', seq });
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      const due = this.ackDue;
      this.ackDue = 0;
      if (due) this.ack(due);
    }, ACK_INTERVAL_MS);
    this.ackTimer.unref();
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
