import { createHash } from 'node:crypto';
import { AlertmanagerWebhook, GenericAlert, RuntruthError, ServiceName, describeIssues, type Incident, type IncidentWebhookResult } from '../protocol';
import type { Actor, AuditLog } from './audit';
import type { IncidentStore } from './store-incidents';

/** One alert in either body shape, reduced to what an incident keeps. */
interface NormalAlert {
  source: Incident['source'];
  status: Incident['status'];
  fingerprint: string;
  title: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  service?: string;
  severity?: string;
  summary?: string;
  description?: string;
  generatorURL?: string;
}

type Change = IncidentWebhookResult['incidents'][number]['change'];

/** Labels an alert names its service by, in order of preference. */
const SERVICE_LABELS = ['service', 'app', 'app_kubernetes_io_name', 'job'] as const;

/**
 * Keeps alerts as incidents: a firing alert opens one (or updates the open one with its fingerprint: repeats
 * are deliveries, not new incidents); a resolved alert closes it. State changes are audited and announced.
 */
export class IncidentBook {
  constructor(
    private readonly deps: {
      store: IncidentStore;
      audit: AuditLog;
      changed: (incident: Incident) => void;
      log: (line: string) => void;
      now?: () => Date;
    },
  ) {}

  /** Parses a webhook body (either shape) and applies each alert. Throws `bad_message` with the schema's complaint. */
  receive(body: unknown, actor: Actor, inScope: (alert: Pick<Incident, 'service' | 'labels'>) => boolean = () => true): IncidentWebhookResult {
    const alerts = parseAlerts(body);
    // all or nothing: a scoped token may report alerts about its own services (and labels) only
    const outside = alerts.find((a) => !inScope(a));
    if (outside) throw new RuntruthError('forbidden', `${actor.name} may not report '${outside.title}'${outside.service ? ` about '${outside.service}'` : ''}: it is outside its scope`);
    const incidents = alerts.map((a) => this.apply(a, actor));
    return { ok: true, incidents };
  }

  list(filter: Parameters<IncidentStore['list']>[0]): Incident[] {
    return this.deps.store.list(filter);
  }

  get(id: string): Incident {
    const incident = this.deps.store.get(id);
    if (!incident) throw new RuntruthError('not_found', `no incident ${id}`);
    return incident;
  }

  /** A person closes an incident by hand. */
  resolve(id: string, actor: Actor, reason?: string): Incident {
    const incident = this.get(id);
    if (incident.status === 'resolved') throw new RuntruthError('conflict', `${id} is already resolved`);
    const now = this.now();
    const closed: Incident = { ...incident, status: 'resolved', endsAt: now, updatedAt: now, resolvedBy: actor.name };
    this.deps.store.save(closed);
    this.deps.audit.record({ actor, action: 'incident.resolved', target: id, details: { title: incident.title, ...(reason ? { reason } : {}), by: 'hand' } });
    this.deps.changed(closed);
    return closed;
  }

  private apply(alert: NormalAlert, actor: Actor): { id: string; status: Incident['status']; change: Change } {
    const now = this.now();
    const open = this.deps.store.open(alert.fingerprint);
    if (open && alert.status === 'firing') {
      const repeated: Incident = { ...open, deliveries: open.deliveries + 1, updatedAt: now, annotations: alert.annotations, ...text(alert) };
      this.deps.store.save(repeated);
      this.deps.changed(repeated);
      return { id: open.id, status: 'firing', change: 'repeated' };
    }
    if (open) {
      const closed: Incident = { ...open, status: 'resolved', endsAt: alert.endsAt ?? now, updatedAt: now, deliveries: open.deliveries + 1, resolvedBy: actor.name };
      this.deps.store.save(closed);
      this.deps.audit.record({ actor, action: 'incident.resolved', target: open.id, details: { title: open.title, fingerprint: open.fingerprint, endsAt: closed.endsAt } });
      this.deps.log(`incident ${open.id} '${open.title}' resolved (reported by ${actor.name})`);
      this.deps.changed(closed);
      return { id: open.id, status: 'resolved', change: 'resolved' };
    }
    const incident = this.deps.store.add({ fingerprint: alert.fingerprint, ...(alert.service ? { service: alert.service } : {}), status: alert.status, startsAt: alert.startsAt }, (id) => ({
      id,
      title: alert.title,
      status: alert.status,
      source: alert.source,
      ...(alert.service ? { service: alert.service } : {}),
      ...(alert.severity ? { severity: alert.severity } : {}),
      labels: alert.labels,
      annotations: alert.annotations,
      ...text(alert),
      startsAt: alert.startsAt,
      ...(alert.status === 'resolved' ? { endsAt: alert.endsAt ?? now } : {}),
      fingerprint: alert.fingerprint,
      ...(alert.generatorURL ? { generatorURL: alert.generatorURL } : {}),
      receivedAt: now,
      updatedAt: now,
      deliveries: 1,
      reportedBy: actor.name,
      ...(alert.status === 'resolved' ? { resolvedBy: actor.name } : {}),
    }));
    // a resolved alert for an incident the relay never saw open is kept for the record, not announced as new
    const change: Change = alert.status === 'firing' ? 'opened' : 'unchanged';
    this.deps.audit.record({
      actor,
      action: alert.status === 'firing' ? 'incident.opened' : 'incident.recorded',
      target: incident.id,
      details: { title: incident.title, source: incident.source, fingerprint: incident.fingerprint, startsAt: incident.startsAt, ...(incident.service ? { service: incident.service } : {}), ...(incident.severity ? { severity: incident.severity } : {}) },
    });
    this.deps.log(`incident ${incident.id} '${incident.title}' ${alert.status === 'firing' ? 'opened' : 'recorded (already resolved)'} by ${actor.name}`);
    this.deps.changed(incident);
    return { id: incident.id, status: incident.status, change };
  }

  private now(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }
}

function text(a: NormalAlert): Pick<Incident, 'summary' | 'description'> {
  return { ...(a.summary ? { summary: a.summary } : {}), ...(a.description ? { description: a.description } : {}) };
}

/** Alertmanager's body when it says `version`, the generic shape otherwise; one typed error naming the problem. */
export function parseAlerts(body: unknown): NormalAlert[] {
  if (body && typeof body === 'object' && 'version' in body) {
    const parsed = AlertmanagerWebhook.safeParse(body);
    if (!parsed.success) throw new RuntruthError('bad_message', `not an Alertmanager v4 webhook body: ${describeIssues(parsed.error)}`, { issues: parsed.error.issues.slice(0, 10) });
    const hook = parsed.data;
    return hook.alerts.map((a) => {
      const labels = { ...hook.commonLabels, ...a.labels };
      const annotations = { ...hook.commonAnnotations, ...a.annotations };
      const ended = a.endsAt && !a.endsAt.startsWith('0001-') ? iso(a.endsAt) : undefined;
      return {
        source: 'alertmanager' as const,
        status: a.status,
        fingerprint: a.fingerprint,
        title: (annotations.summary || labels.alertname || 'alert').slice(0, 500),
        labels,
        annotations,
        startsAt: iso(a.startsAt),
        ...(ended ? { endsAt: ended } : {}),
        ...serviceOf(labels),
        ...(labels.severity ? { severity: labels.severity.slice(0, 64) } : {}),
        ...(annotations.summary ? { summary: annotations.summary } : {}),
        ...(annotations.description ? { description: annotations.description } : {}),
        ...(a.generatorURL ? { generatorURL: a.generatorURL } : {}),
      };
    });
  }
  const parsed = GenericAlert.safeParse(body);
  if (!parsed.success) {
    throw new RuntruthError('bad_message', `expected an Alertmanager v4 webhook body or {title, service?, labels?, startsAt?, severity?}: ${describeIssues(parsed.error)}`, { issues: parsed.error.issues.slice(0, 10) });
  }
  const g = parsed.data;
  const labels = { ...(g.labels ?? {}), ...(g.service ? { service: g.service } : {}) };
  const fingerprint = g.fingerprint ?? createHash('sha256').update(JSON.stringify([g.title, g.service ?? null, Object.entries(labels).sort()])).digest('hex').slice(0, 16);
  return [
    {
      source: 'generic',
      status: g.status ?? 'firing',
      fingerprint,
      title: g.title,
      labels,
      annotations: g.description ? { description: g.description } : {},
      startsAt: g.startsAt ? iso(g.startsAt) : new Date().toISOString(),
      ...serviceOf(labels),
      ...(g.severity ? { severity: g.severity } : {}),
      ...(g.description ? { description: g.description } : {}),
    },
  ];
}

function serviceOf(labels: Record<string, string>): { service?: string } {
  for (const key of SERVICE_LABELS) if (labels[key] && ServiceName.safeParse(labels[key]).success) return { service: labels[key] };
  return {};
}

const iso = (t: string) => new Date(t).toISOString();
