import type { z } from 'zod';
import { selectorMatches, type AgentEvidenceMsg, type InstanceInfo } from '../protocol';
import type { Link } from './connection';
import type { UnstoredEvidence } from './evidence-filter';
import type { EvidenceIngest } from './evidence-ingest';
import type { ProbeBook } from './probes';
import type { RelayStats } from './stats';
import type { EvidenceStreamStore } from './store-streams';

/** Acks to one agent are sent about this often at most (cumulative: the newest covers the rest), sparing a frame per batch under load. */
export const ACK_INTERVAL_MS = 1000;

/** Windows after the first last ACK_INTERVAL_MS × (1 ± ACK_JITTER), so agents that connected together drift apart. */
const ACK_JITTER = 0.5;

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
  /** The open ack window, and the newest stored seq waiting to be acked at its end (0: none). */
  private ackTimer: NodeJS.Timeout | undefined;
  private ackDue = 0;
  /** Ack windows opened on this connection (the first one is shorter, see ack). */
  private acks = 0;
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

  /**
   * Acks wait for the end of the window the batch was stored in, the newest covering the rest. The first window is
   * a random part of ACK_INTERVAL_MS, the next ones ACK_INTERVAL_MS ± ACK_JITTER: agents that connect together (every
   * agent after a relay restart) would otherwise all be acked in the same turn of the event loop, once a second.
   */
  private ack(seq: number): void {
    if (this.closed) return;
    this.ackDue = Math.max(this.ackDue, seq);
    if (this.ackTimer) return;
    const first = this.acks++ === 0;
    const delay = first ? ACK_INTERVAL_MS * Math.random() : ACK_INTERVAL_MS * (1 - ACK_JITTER + 2 * ACK_JITTER * Math.random());
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      const due = this.ackDue;
      this.ackDue = 0;
      if (due && !this.closed) this.link.send({ type: 'evidence.ack', seq: due });
    }, delay);
    this.ackTimer.unref();
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
