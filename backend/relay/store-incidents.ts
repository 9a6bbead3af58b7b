import type { Database } from 'better-sqlite3';
import { Incident, type IncidentStatus } from '../protocol';

/** Incidents as rows: the Incident JSON, plus the columns the lookups need. */
export class IncidentStore {
  private readonly insert;
  private readonly update;
  private readonly byId;
  private readonly openByFingerprint;

  constructor(private readonly db: Database) {
    this.insert = db.prepare<[string, string | null, string, string]>(`INSERT INTO incidents (fingerprint, service, status, starts_at, json) VALUES (?, ?, ?, ?, '{}')`);
    this.update = db.prepare<[string, string, number]>(`UPDATE incidents SET status = ?, json = ? WHERE id = ?`);
    this.byId = db.prepare<[number], { json: string }>(`SELECT json FROM incidents WHERE id = ?`);
    this.openByFingerprint = db.prepare<[string], { json: string }>(`SELECT json FROM incidents WHERE fingerprint = ? AND status = 'firing' ORDER BY id DESC LIMIT 1`);
  }

  /** Stores a new incident; its id comes from the row, so `make` receives it. */
  add(fields: { fingerprint: string; service?: string; status: IncidentStatus; startsAt: string }, make: (id: string) => Incident): Incident {
    return this.db.transaction(() => {
      const { lastInsertRowid } = this.insert.run(fields.fingerprint, fields.service ?? null, fields.status, fields.startsAt);
      const incident = Incident.parse(make(`inc-${lastInsertRowid}`));
      this.update.run(incident.status, JSON.stringify(incident), Number(lastInsertRowid));
      return incident;
    })();
  }

  save(incident: Incident): void {
    this.update.run(incident.status, JSON.stringify(Incident.parse(incident)), rowOf(incident.id));
  }

  get(id: string): Incident | undefined {
    const row = this.byId.get(rowOf(id));
    return row ? parse(row.json) : undefined;
  }

  /** The open (firing) incident an alert with this fingerprint belongs to. */
  open(fingerprint: string): Incident | undefined {
    const row = this.openByFingerprint.get(fingerprint);
    return row ? parse(row.json) : undefined;
  }

  /** Newest first. `services` (a scoped token's) keeps those plus incidents that name no service. */
  list(filter: { status?: IncidentStatus; service?: string; services?: readonly string[]; limit: number }): Incident[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.status) where.push('status = ?'), args.push(filter.status);
    if (filter.service) where.push('service = ?'), args.push(filter.service);
    if (filter.services) where.push(`(service IS NULL OR service IN (${filter.services.map(() => '?').join(',') || "''"}))`), args.push(...filter.services);
    const rows = this.db.prepare(`SELECT json FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`).all(...args, filter.limit) as { json: string }[];
    return rows.map((r) => parse(r.json));
  }
}

const rowOf = (id: string) => Number(id.slice('inc-'.length));
const parse = (json: string) => Incident.parse(JSON.parse(json));
