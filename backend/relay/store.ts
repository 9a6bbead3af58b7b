import Database from 'better-sqlite3';
import { FALLBACK_AUTOCHECKPOINT_PAGES } from './checkpointer';
import { migrate } from './schema';
import { AuditStore } from './store-audit';
import { PolicyStore } from './store-policy';
import { EvidenceStore } from './store-evidence';
import { ProbeStore } from './store-probes';
import { RegistryStore } from './store-registry';
import { IncidentStore } from './store-incidents';
import { SecretStore } from './store-secrets';
import { EvidenceStreamStore } from './store-streams';

/** The relay's one SQLite file, split into one small store per concern. */
export interface Store {
  readonly secrets: SecretStore;
  readonly registry: RegistryStore;
  readonly probes: ProbeStore;
  readonly evidence: EvidenceStore;
  readonly audit: AuditStore;
  readonly policy: PolicyStore;
  readonly incidents: IncidentStore;
  readonly streams: EvidenceStreamStore;
  /** Runs `fn` in one transaction (the stores' own transactions nest inside it). */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/** `backgroundCheckpoint`: a checkpointer thread copies the WAL back (see checkpointer.ts); this connection only as a fallback. */
export function openStore(file: string, opts: { backgroundCheckpoint?: boolean } = {}): Store {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: durable across process crashes, cheap commits for every evidence batch
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (opts.backgroundCheckpoint) db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    migrate(db);
    return {
      secrets: new SecretStore(db),
      registry: new RegistryStore(db),
      probes: new ProbeStore(db),
      evidence: new EvidenceStore(db),
      audit: new AuditStore(db),
      policy: new PolicyStore(db),
      incidents: new IncidentStore(db),
      streams: new EvidenceStreamStore(db),
      transaction: (fn) => db.transaction(fn)(),
      close: () => db.close(),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
