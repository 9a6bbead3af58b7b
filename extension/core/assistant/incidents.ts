import type { Incident, ServiceView } from '../../../backend/protocol';

/** What an alert contributes to an investigation: the question, the service, the start of the timeline. */
export interface IncidentContext {
  question: string;
  /** The relay service the alert is about, when one of its labels names a service the relay knows. */
  service?: string;
  incidentAt: Date;
  incident: { id: string; title: string };
  /** Things a person should know about how the alert was read (e.g. its service is not at the relay). */
  notes: string[];
}

/** Alert labels that may carry the service's name, most specific first. */
const SERVICE_LABELS = ['service', 'app', 'app_kubernetes_io_name', 'job', 'container', 'deployment'];

/**
 * Reads an incident as investigation context: the question is the person's when given, else the alert's own
 * words (summary and description: their identifiers drive the code search); the service is the incident's
 * when the relay knows it, else a label value that names a known service.
 */
export function incidentContext(incident: Incident, opts: { question?: string; services: readonly ServiceView[] }): IncidentContext {
  const notes: string[] = [];
  const known = new Set(opts.services.map((s) => s.service));
  const candidates = [incident.service, ...SERVICE_LABELS.map((k) => incident.labels[k])].filter((s): s is string => !!s);
  const service = candidates.find((s) => known.has(s));
  if (!service && candidates.length) notes.push(`the alert names ${[...new Set(candidates)].join(', ')}, which the relay does not know; choosing the service from the question`);
  const alertWords = [incident.summary ?? incident.title, incident.description].filter((s): s is string => !!s && s.trim().length > 0);
  const question = opts.question?.trim() || alertWords.map((s) => s.trim().replace(/[.\s]+$/, '')).join('. ') + '?';
  return { question, ...(service ? { service } : {}), incidentAt: new Date(incident.startsAt), incident: { id: incident.id, title: incident.title }, notes };
}
