import type { Database } from 'better-sqlite3';
import type { Approval, ProbeLifecycle, ProbeSpec, ProbeStatus } from '../protocol';

/** A probe as the relay keeps it: the spec agents get, where it is in its life, and who asked/decided. */
export interface ProbeRecord {
  probe: ProbeSpec;
  state: ProbeLifecycle;
  approval?: Approval;
}

interface ProbeRow {
  spec: string;
  state: ProbeLifecycle;
  approval: string | null;
}

/** Probe specs (ended ones kept, so evidence keeps its context) and per-instance statuses. */
export class ProbeStore {
  private readonly insert;
  private readonly update;
  private readonly openRows;
  private readonly byId;
  private readonly upsertStatusRow;
  private readonly statusRows;

  constructor(db: Database) {
    this.insert = db.prepare(`INSERT INTO probes (id, service, spec, expires_at, state, approval) VALUES (?, ?, ?, ?, ?, ?)`);
    // removed_at marks every end (removed, expired, rejected), as it did before states existed
    this.update = db.prepare(`
      UPDATE probes SET spec = @spec, expires_at = @expiresAt, state = @state, approval = @approval,
        removed_at = CASE WHEN @state IN ('proposed', 'live') THEN NULL ELSE @now END
      WHERE id = @id`);
    this.openRows = db.prepare<[], ProbeRow>(`SELECT spec, state, approval FROM probes WHERE state IN ('proposed', 'live') ORDER BY rowid`);
    this.byId = db.prepare<[string], ProbeRow>(`SELECT spec, state, approval FROM probes WHERE id = ?`);
    this.upsertStatusRow = db.prepare(`
      INSERT INTO probe_status (probe_id, instance_id, status) VALUES (?, ?, ?)
      ON CONFLICT (probe_id, instance_id) DO UPDATE SET status = excluded.status`);
    this.statusRows = db.prepare<[string], { status: string }>(`SELECT status FROM probe_status WHERE probe_id = ? ORDER BY instance_id`);
  }

  add(record: ProbeRecord): void {
    const { probe } = record;
    this.insert.run(probe.id, probe.selector.service, JSON.stringify(probe), probe.expiresAt, record.state, record.approval ? JSON.stringify(record.approval) : null);
  }

  /** Writes a record's new state (and its spec/approval, which approval changes). */
  save(record: ProbeRecord, now: Date): void {
    this.update.run({
      id: record.probe.id,
      spec: JSON.stringify(record.probe),
      expiresAt: record.probe.expiresAt,
      state: record.state,
      approval: record.approval ? JSON.stringify(record.approval) : null,
      now: now.toISOString(),
    });
  }

  /** Proposed and live probes: what the relay must hold in memory after a restart. */
  open(): ProbeRecord[] {
    return this.openRows.all().map(toRecord);
  }

  /** Any probe ever added, in whatever state. */
  find(id: string): ProbeRecord | undefined {
    const row = this.byId.get(id);
    return row && toRecord(row);
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

// rows are written by add()/save() from validated records
function toRecord(row: ProbeRow): ProbeRecord {
  return {
    probe: JSON.parse(row.spec) as ProbeSpec,
    state: row.state,
    ...(row.approval ? { approval: JSON.parse(row.approval) as Approval } : {}),
  };
}
