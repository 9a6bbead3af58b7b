import type { Database } from 'better-sqlite3';
import type { InstanceInfo, InstanceView, Labels, ServiceView } from '../protocol';

interface InstanceRow {
  instance_id: string;
  service: string;
  info: string;
  connected: number;
  connected_at: string | null;
  last_seen_at: string;
  evidence_dropped: number;
}

/** Every instance that ever said hello, and whether it is connected now. */
export class RegistryStore {
  private readonly addService;
  private readonly upsertInstance;
  private readonly setDisconnected;
  private readonly setLastSeen;
  private readonly disconnectAll;
  private readonly allInstances;
  private readonly serviceNames;
  private readonly serviceExists;
  private readonly infoOf;
  private readonly oneInstance;
  /** Instance labels, for scoped evidence streams (checked per item, so not read from SQLite each time). */
  private readonly labelCache = new Map<string, Labels>();

  constructor(private readonly db: Database) {
    this.addService = db.prepare(`INSERT OR IGNORE INTO services (name, first_seen_at) VALUES (?, ?)`);
    this.upsertInstance = db.prepare(`
      INSERT INTO instances (instance_id, service, info, connected, connected_at, last_seen_at)
      VALUES (@id, @service, @info, 1, @now, @now)
      ON CONFLICT (instance_id) DO UPDATE SET
        service = excluded.service, info = excluded.info, connected = 1,
        connected_at = excluded.connected_at, last_seen_at = excluded.last_seen_at`);
    this.setDisconnected = db.prepare(`UPDATE instances SET connected = 0, connected_at = NULL, last_seen_at = ? WHERE instance_id = ?`);
    this.setLastSeen = db.prepare(`UPDATE instances SET last_seen_at = ? WHERE instance_id = ?`);
    this.disconnectAll = db.prepare(`UPDATE instances SET connected = 0, connected_at = NULL WHERE connected = 1`);
    this.allInstances = db.prepare<[], InstanceRow>(`SELECT * FROM instances ORDER BY service, instance_id`);
    this.serviceNames = db.prepare<[], { name: string }>(`SELECT name FROM services ORDER BY name`);
    this.serviceExists = db.prepare<[string], { one: number }>(`SELECT 1 AS one FROM services WHERE name = ?`);
    this.infoOf = db.prepare<[string], { info: string }>(`SELECT info FROM instances WHERE instance_id = ?`);
    this.oneInstance = db.prepare<[string], InstanceRow>(`SELECT * FROM instances WHERE instance_id = ?`);
  }

  markConnected(info: InstanceInfo, now: Date): void {
    const at = now.toISOString();
    this.db.transaction(() => {
      this.addService.run(info.service, at);
      this.upsertInstance.run({ id: info.instanceId, service: info.service, info: JSON.stringify(info), now: at });
    })();
    this.labelCache.set(info.instanceId, info.labels);
  }

  labelsOf(instanceId: string): Labels | undefined {
    let labels = this.labelCache.get(instanceId);
    if (labels === undefined) {
      const row = this.infoOf.get(instanceId);
      if (!row) return undefined;
      labels = (JSON.parse(row.info) as InstanceInfo).labels; // written by markConnected from a validated hello
      this.labelCache.set(instanceId, labels);
    }
    return labels;
  }

  markDisconnected(instanceId: string, now: Date): void {
    this.setDisconnected.run(now.toISOString(), instanceId);
  }

  touch(instanceId: string, now: Date): void {
    this.setLastSeen.run(now.toISOString(), instanceId);
  }

  /** After a crash the flags are stale: nobody is connected to a relay that is just starting. */
  markAllDisconnected(): void {
    this.disconnectAll.run();
  }

  hasService(name: string): boolean {
    return this.serviceExists.get(name) !== undefined;
  }

  serviceNamesKnown(): string[] {
    return this.serviceNames.all().map((r) => r.name);
  }

  services(): ServiceView[] {
    const byService = new Map<string, InstanceView[]>();
    for (const row of this.allInstances.all()) {
      const list = byService.get(row.service) ?? [];
      list.push(viewOf(row));
      byService.set(row.service, list);
    }
    return [...byService].map(([service, instances]) => ({ service, instances }));
  }

  /** One instance as services() would show it (a point lookup: called on every connect and disconnect). */
  instance(instanceId: string): InstanceView | undefined {
    const row = this.oneInstance.get(instanceId);
    return row && viewOf(row);
  }
}

function viewOf(row: InstanceRow): InstanceView {
  const info = JSON.parse(row.info) as InstanceInfo; // written by markConnected from a validated hello
  return {
    ...info,
    connected: row.connected === 1,
    ...(row.connected === 1 && row.connected_at ? { connectedAt: row.connected_at } : {}),
    lastSeenAt: row.last_seen_at,
    ...(row.evidence_dropped > 0 ? { evidenceDropped: row.evidence_dropped } : {}),
  };
}
