import Database from 'better-sqlite3';
import { migrate } from './schema';
import { EvidenceStore } from './store-evidence';
import { ProbeStore } from './store-probes';
import { RegistryStore } from './store-registry';
import { SecretStore } from './store-secrets';

/** The relay's one SQLite file, split into one small store per concern. */
export interface Store {
  readonly secrets: SecretStore;
  readonly registry: RegistryStore;
  readonly probes: ProbeStore;
  readonly evidence: EvidenceStore;
  close(): void;
}

export function openStore(file: string): Store {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: durable across process crashes, cheap commits for every evidence batch
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return {
      secrets: new SecretStore(db),
      registry: new RegistryStore(db),
      probes: new ProbeStore(db),
      evidence: new EvidenceStore(db),
      close: () => db.close(),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
