import { z } from 'zod';
import { ProbeId } from './probe';

/** Evidence as the agent sends it; the relay adds who sent it and a store id. */
export const AgentLogEvidence = z.object({
  kind: z.literal('log'),
  probeId: ProbeId,
  at: z.iso.datetime(),
  message: z.string().max(64 * 1024),
});
export const AgentEvidence = z.discriminatedUnion('kind', [AgentLogEvidence]);
export type AgentEvidence = z.infer<typeof AgentEvidence>;

const Provenance = z.object({
  /** Monotonic store id: clients resume a stream with `afterId`. */
  id: z.int().min(1),
  service: z.string(),
  instance: z.string(),
});

export const LogEvidence = AgentLogEvidence.extend(Provenance.shape);
/** A gap marker: `count` events were dropped (by the agent or a slow client's queue) before this point. */
export const GapEvidence = z.object({
  kind: z.literal('gap'),
  /** Store id, when the relay stored the marker (agent and retention gaps); queue gaps are never stored. */
  id: z.int().min(1).optional(),
  at: z.iso.datetime(),
  count: z.int().min(1),
  where: z.enum(['agent', 'relay', 'client-queue']),
  probeId: ProbeId.optional(),
  service: z.string().optional(),
  instance: z.string().optional(),
});
export const Evidence = z.discriminatedUnion('kind', [LogEvidence, GapEvidence]);
export type Evidence = z.infer<typeof Evidence>;
export type LogEvidence = z.infer<typeof LogEvidence>;
