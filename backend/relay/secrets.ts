import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ClientHello } from '../protocol';
import type { Identity } from './auth';
import type { SecretKind, SecretStore } from './store-secrets';

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
  admin: { kind: 'admin-token', name: 'admin', role: 'admin', prefix: 'rt_admin_', file: 'admin.token', label: 'admin token' },
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
    const stored = opts.store.activeNamedAs(plan.kind, plan.name);
    if (preset !== undefined) {
      if (!WireSecret.safeParse(preset).success) throw new Error(`the preset ${plan.label} must be 8-512 characters`);
      const hash = hashSecret(preset);
      if (!stored.some((s) => s.hash === hash)) {
        for (const s of stored) opts.store.revoke(s.id, now());
        opts.store.add({ hash, name: plan.name, kind: plan.kind, role: plan.role }, now());
        opts.log(`registered the preset ${plan.label}${stored.length ? ' (the previous one is revoked)' : ''}; written to ${file}`);
      }
      if (readIfExists(file) !== preset) writeSecretFile(file, preset);
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

/** Checks presented secrets against the stored hashes, in constant time per candidate. */
export class SecretVerifier {
  constructor(private readonly store: SecretStore) {}

  identityForToken(token: string): Identity | undefined {
    const row = this.match('admin-token', token);
    return row && { name: row.name, role: row.role === 'viewer' || row.role === 'operator' ? row.role : 'admin' };
  }

  isAgentKey(key: string): boolean {
    return this.match('agent-key', key) !== undefined;
  }

  private match(kind: SecretKind, secret: string) {
    const presented = Buffer.from(hashSecret(secret), 'hex');
    let found;
    // no early exit: the time taken should not depend on which candidate matched
    for (const row of this.store.active(kind)) {
      if (timingSafeEqual(Buffer.from(row.hash, 'hex'), presented) && !found) found = row;
    }
    return found;
  }
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
