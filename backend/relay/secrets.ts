import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ClientHello, RuntruthError, TokenId, type Identity, type TokenScope } from '../protocol';
import type { SecretKind, SecretRow, SecretStore } from './store-secrets';

export interface SecretFiles {
  adminTokenFile: string;
  agentKeyFile: string;
}

interface SecretPlan {
  kind: SecretKind;
  name: string;
  role?: Identity['role'];
  prefix: string;
  file: string;
  label: string;
}

const PLANS = {
  admin: { kind: 'token', name: 'admin', role: 'admin', prefix: 'rt_admin_', file: 'admin.token', label: 'admin token' },
  agent: { kind: 'agent-key', name: 'default', prefix: 'rt_agent_', file: 'agent.key', label: 'agent key' },
} as const satisfies Record<string, SecretPlan>;

/** Matches what the protocol accepts on the wire, so a preset that could never be sent is refused at startup. */
const WireSecret = ClientHello.shape.token;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Makes sure an admin token and an agent key exist. First start: create them (or register the presets),
 * store only their hashes, and leave the plaintext in 0600 files next to the database. Later starts reuse
 * what is stored, so the files stay valid; a different preset replaces (revokes) the stored one.
 */
export function provisionSecrets(opts: {
  store: SecretStore;
  dataDir: string;
  adminToken?: string;
  agentKey?: string;
  log: (line: string) => void;
  now?: () => Date;
}): SecretFiles {
  const now = opts.now ?? (() => new Date());
  const provision = (plan: SecretPlan, preset: string | undefined): string => {
    const file = path.join(opts.dataDir, plan.file);
    const stored = opts.store.activeNamedAs(plan.kind, plan.name).filter((s) => (s.role ?? undefined) === plan.role);
    if (preset !== undefined) {
      if (!WireSecret.safeParse(preset).success) throw new Error(`the preset ${plan.label} must be 8-512 characters`);
      const hash = hashSecret(preset);
      if (opts.store.byHash(hash)?.revoked_at) {
        if (plan.kind !== 'agent-key') throw new Error(`the preset ${plan.label} was revoked; set a new one`);
        opts.log(`the preset agent key was revoked and stays revoked; agents need a pool key from 'runtruth token create --kind agent'`);
        return file;
      }
      if (!stored.some((s) => s.hash === hash)) {
        for (const s of stored) opts.store.revoke(s.id, now());
        opts.store.add({ hash, name: plan.name, kind: plan.kind, role: plan.role }, now());
        opts.log(`registered the preset ${plan.label}${stored.length ? ' (the previous one is revoked)' : ''}; written to ${file}`);
      }
      if (readIfExists(file) !== preset) writeSecretFile(file, preset);
      return file;
    }
    // while another admin can act, a revoked bootstrap token stays revoked (the data dir is not a back door);
    // with no usable admin left, a fresh one is the way back in for whoever owns the data dir
    if (stored.length === 0 && plan.role === 'admin' && hasUsableAdmin(opts.store, now())) {
      if (fs.existsSync(file)) opts.log(`warning: ${file} holds a revoked token; use a token from 'runtruth token create'`);
      return file;
    }
    // `token revoke default` is final: a restart must not mint a fresh default key (any agent.key file would work again)
    if (stored.length === 0 && plan.kind === 'agent-key' && opts.store.all(plan.kind).some((s) => s.name === plan.name)) {
      opts.log(`the default agent key is revoked (${file} no longer admits agents); agents need a pool key from 'runtruth token create --kind agent'`);
      return file;
    }
    if (stored.length > 0) {
      if (!fs.existsSync(file)) opts.log(`warning: ${file} is missing; the stored ${plan.label} still works but cannot be recovered`);
      return file;
    }
    const secret = plan.prefix + randomBytes(32).toString('base64url');
    opts.store.add({ hash: hashSecret(secret), name: plan.name, kind: plan.kind, role: plan.role }, now());
    writeSecretFile(file, secret);
    opts.log(`created a new ${plan.label}; it is in ${file}`);
    return file;
  };
  return { adminTokenFile: provision(PLANS.admin, opts.adminToken), agentKeyFile: provision(PLANS.agent, opts.agentKey) };
}

export type TokenCheck =
  | { ok: true; identity: Identity; rowId: number }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired'; name?: string; tokenId?: string };

/** `tok-12` ↔ row 12: ids are public, hashes are not. */
export const tokenIdOf = (rowId: number): string => `tok-${rowId}`;
export const rowIdOf = (tokenId: string): number => Number(tokenId.slice('tok-'.length));

/**
 * The active (not revoked) secrets of a kind that `ref` names: by id (`tok-12`), or every one with that name.
 * Throws not_found, saying which was asked for, when there is none. `label` names the kind for people ("agent key").
 */
export function activeSecretsByRef(store: Pick<SecretStore, 'byId' | 'activeNamedAs'>, kind: SecretKind, ref: string, label: string): SecretRow[] {
  const byId = TokenId.safeParse(ref).success;
  const row = byId ? store.byId(rowIdOf(ref)) : undefined;
  const rows = byId ? (row && row.kind === kind && row.revoked_at === null ? [row] : []) : store.activeNamedAs(kind, ref);
  if (rows.length === 0) throw new RuntruthError('not_found', `no active ${label} ${byId ? ref : `named '${ref}'`}`);
  return rows;
}

/**
 * Checks presented secrets against the stored hashes. Lookup is by hash (an index): learning anything from
 * its timing would need sha256 preimages, so there is no per-candidate constant-time loop to scale badly.
 */
export class SecretVerifier {
  constructor(private readonly store: SecretStore) {}

  checkToken(token: string, now: Date): TokenCheck {
    const row = this.store.byHash(hashSecret(token));
    if (!row || row.kind !== 'token' || row.role === null) return { ok: false, reason: 'unknown' };
    const known = { name: row.name, tokenId: tokenIdOf(row.id) };
    if (row.revoked_at !== null) return { ok: false, reason: 'revoked', ...known };
    if (row.expires_at !== null && Date.parse(row.expires_at) <= now.getTime()) return { ok: false, reason: 'expired', ...known };
    return { ok: true, identity: identityOf(row), rowId: row.id };
  }
}

export function identityOf(row: SecretRow): Identity {
  return {
    name: row.name,
    role: row.role ?? 'viewer',
    tokenId: tokenIdOf(row.id),
    ...(row.ai ? { ai: true } : {}),
    ...(row.scope ? { scope: JSON.parse(row.scope) as TokenScope } : {}), // written by SecretStore.add from a validated scope
    ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
  };
}

function hasUsableAdmin(store: SecretStore, now: Date): boolean {
  return store.active('token').some((s) => s.role === 'admin' && (s.expires_at === null || Date.parse(s.expires_at) > now.getTime()));
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Atomic write (temp file + rename) so a crash never leaves a half-written secret; 0600 from creation. */
function writeSecretFile(file: string, secret: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, secret, { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
}
