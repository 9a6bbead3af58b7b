import type { Database } from 'better-sqlite3';
import type { ProbeSpec, ProbeStatus } from '../protocol';

/** Probe specs (soft-deleted via removed_at, so evidence keeps its context) and per-instance statuses. */
export class ProbeStore {
  private readonly insert;
  private readonly setRemoved;
  private readonly liveRows;
  private readonly byId;
  private readonly upsertStatusRow;
  private readonly statusRows;

  constructor(db: Database) {
    this.insert = db.prepare(`INSERT INTO probes (id, service, spec, expires_at) VALUES (?, ?, ?, ?)`);
    this.setRemoved = db.prepare(`UPDATE probes SET removed_at = ? WHERE id = ? AND removed_at IS NULL`);
    this.liveRows = db.prepare<[], { spec: string }>(`SELECT spec FROM probes WHERE removed_at IS NULL ORDER BY rowid`);
    this.byId = db.prepare<[string], { spec: string; removed_at: string | null }>(`SELECT spec, removed_at FROM probes WHERE id = ?`);
    this.upsertStatusRow = db.prepare(`
      INSERT INTO probe_status (probe_id, instance_id, status) VALUES (?, ?, ?)
      ON CONFLICT (probe_id, instance_id) DO UPDATE SET status = excluded.status`);
    this.statusRows = db.prepare<[string], { status: string }>(`SELECT status FROM probe_status WHERE probe_id = ? ORDER BY instance_id`);
  }

  add(probe: ProbeSpec): void {
    this.insert.run(probe.id, probe.selector.service, JSON.stringify(probe), probe.expiresAt);
  }

  /** @returns false when the probe was already removed (or never existed). */
  markRemoved(id: string, now: Date): boolean {
    return this.setRemoved.run(now.toISOString(), id).changes > 0;
  }

  live(): ProbeSpec[] {
    return this.liveRows.all().map((r) => JSON.parse(r.spec) as ProbeSpec); // written by add() from a validated spec
  }

  /** Any probe ever added, removed or not. */
  find(id: string): { probe: ProbeSpec; removed: boolean } | undefined {
    const row = this.byId.get(id);
    return row && { probe: JSON.parse(row.spec) as ProbeSpec, removed: row.removed_at !== null };
  }

  exists(id: string): boolean {
    return this.byId.get(id) !== undefined;
  }

  upsertStatus(status: ProbeStatus): void {
    this.upsertStatusRow.run(status.probeId, status.instanceId, JSON.stringify(status));
  }

  statuses(probeId: string): ProbeStatus[] {
    return this.statusRows.all(probeId).map((r) => JSON.parse(r.status) as ProbeStatus);
  }
}
