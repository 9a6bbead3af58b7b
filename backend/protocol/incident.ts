import { z } from 'zod';
import { Labels, ServiceName } from './probe';

/**
 * Incidents: alerts the relay received on its webhook (POST /incidents), kept with their start time and labels
 * so an investigation can start from them. Two body shapes are accepted: Prometheus Alertmanager's webhook
 * (version 4) and a small generic JSON for everything else.
 */
export const IncidentId = z.string().regex(/^inc-\d{1,15}$/, 'an incident id looks like inc-12');
export const IncidentStatus = z.enum(['firing', 'resolved']);
export const IncidentSource = z.enum(['alertmanager', 'generic']);

/** Largest webhook body the relay reads (bytes); a bigger one gets 413 `too_large`. */
export const MAX_INCIDENT_BODY_BYTES = 256 * 1024;

const LabelMap = z.record(z.string().min(1).max(128), z.string().max(1024));
const Text = z.string().max(4000);

export const Incident = z.object({
  id: IncidentId,
  title: z.string().min(1).max(500),
  status: IncidentStatus,
  source: IncidentSource,
  /** The service the alert names (label `service`, `app` or `job`), when it names one. */
  service: ServiceName.optional(),
  severity: z.string().max(64).optional(),
  labels: LabelMap,
  /** Alertmanager annotations (summary, description, runbook_url ...). */
  annotations: LabelMap,
  summary: Text.optional(),
  description: Text.optional(),
  /** When the condition began, as the alert says. */
  startsAt: z.iso.datetime(),
  /** When it resolved. */
  endsAt: z.iso.datetime().optional(),
  /** Alertmanager's fingerprint, or a hash of the generic alert's title, service and labels: repeats update one incident. */
  fingerprint: z.string().min(1).max(128),
  generatorURL: z.string().max(2000).optional(),
  receivedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Deliveries of this alert (Alertmanager re-sends firing alerts every repeat interval). */
  deliveries: z.int().min(1),
  /** Who posted it first (the token's name). */
  reportedBy: z.string().max(128),
  resolvedBy: z.string().max(128).optional(),
});
export type Incident = z.infer<typeof Incident>;

const AlertTime = z.iso.datetime({ offset: true });

/** Prometheus Alertmanager's webhook payload (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export const AlertmanagerAlert = z.object({
  status: IncidentStatus,
  labels: LabelMap,
  annotations: LabelMap.default({}),
  startsAt: AlertTime,
  // Alertmanager sends 0001-01-01T00:00:00Z for "not ended"
  endsAt: AlertTime.optional(),
  generatorURL: z.string().max(2000).optional(),
  fingerprint: z.string().min(1).max(128),
});
export const AlertmanagerWebhook = z.object({
  version: z.literal('4'),
  groupKey: z.string().max(4000),
  truncatedAlerts: z.int().min(0).optional(),
  status: IncidentStatus,
  receiver: z.string().max(500),
  groupLabels: LabelMap.default({}),
  commonLabels: LabelMap.default({}),
  commonAnnotations: LabelMap.default({}),
  externalURL: z.string().max(2000).optional(),
  alerts: z.array(AlertmanagerAlert).min(1).max(1000),
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhook>;

/** The generic shape: `{ "title": "checkout 5xx above 2%", "service": "checkout", "severity": "page" }`. */
export const GenericAlert = z.strictObject({
  title: z.string().min(1).max(500),
  service: ServiceName.optional(),
  labels: LabelMap.optional(),
  startsAt: AlertTime.optional(),
  severity: z.string().max(64).optional(),
  description: Text.optional(),
  /** `resolved` closes the open incident with the same title, service and labels (or the same `fingerprint`). */
  status: IncidentStatus.optional(),
  fingerprint: z.string().min(1).max(128).optional(),
});
export type GenericAlert = z.infer<typeof GenericAlert>;

/** The webhook's reply: the incidents the body opened, updated or resolved. */
export const IncidentWebhookResult = z.object({
  ok: z.literal(true),
  incidents: z.array(z.object({ id: IncidentId, status: IncidentStatus, change: z.enum(['opened', 'repeated', 'resolved', 'unchanged']) })),
});
export type IncidentWebhookResult = z.infer<typeof IncidentWebhookResult>;
export type IncidentStatus = z.infer<typeof IncidentStatus>;
