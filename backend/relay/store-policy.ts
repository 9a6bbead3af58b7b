import type { Database } from 'better-sqlite3';
import { DEFAULT_POLICY, Policy, type PolicyView } from '../protocol';

/** The one policy row; absent until an admin first sets it (then the defaults apply). */
export class PolicyStore {
  private readonly read;
  private readonly write;

  constructor(db: Database) {
    this.read = db.prepare<[], { json: string; updated_at: string; updated_by: string }>(`SELECT json, updated_at, updated_by FROM policy WHERE id = 1`);
    this.write = db.prepare(`
      INSERT INTO policy (id, json, updated_at, updated_by) VALUES (1, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at, updated_by = excluded.updated_by`);
  }

  /** The stored policy over the defaults, so fields added in later versions get their default. */
  load(): PolicyView {
    const row = this.read.get();
    if (!row) return { policy: DEFAULT_POLICY };
    const parsed = Policy.safeParse({ ...DEFAULT_POLICY, ...(JSON.parse(row.json) as object) });
    if (!parsed.success) throw new Error(`the stored policy is not valid (${parsed.error.issues[0]?.message}); fix or delete the policy row in relay.db`);
    return { policy: parsed.data, updatedAt: row.updated_at, updatedBy: row.updated_by };
  }

  /**
   * Keeps only the fields that differ from the defaults, so a field an admin never set follows the defaults
   * of later versions (e.g. a new probe kind is allowed without editing the policy).
   */
  save(policy: Policy, by: string, now: Date): void {
    const changed = Object.fromEntries(Object.entries(policy).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(DEFAULT_POLICY[k as keyof Policy])));
    this.write.run(JSON.stringify(changed), now.toISOString(), by);
  }
}
