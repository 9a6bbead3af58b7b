import type http from 'node:http';
import { MAX_INCIDENT_BODY_BYTES, RuntruthError, type ErrorCode } from '../protocol';
import { actorOf, type AuditLog } from './audit';
import type { AuthFailureAudit } from './auth-failures';
import type { IncidentBook } from './incidents';
import { incidentInScope } from './requests-incidents';
import type { SecretVerifier } from './secrets';
import type { SecretStore } from './store-secrets';

export interface IncidentWebhookDeps {
  incidents: IncidentBook;
  verifier: SecretVerifier;
  secrets: SecretStore;
  audit: AuditLog;
  /** Failed authentications go through the relay's rate-limited auth-failure audit, like the WebSocket endpoints'. */
  failures: AuthFailureAudit;
  log: (line: string) => void;
  now?: () => Date;
}

const STATUS: Partial<Record<ErrorCode, number>> = { bad_message: 400, unauthorized: 401, forbidden: 403, too_large: 413 };

/**
 * `POST /incidents`: an alerting system delivers alerts with `Authorization: Bearer <token>` of a person-free
 * operator (or admin) token, e.g. `runtruth token create alertmanager --role operator`. JSON only, at most
 * MAX_INCIDENT_BODY_BYTES; every failure is one typed JSON error `{ ok: false, error: { code, message } }`.
 */
export function incidentWebhook(deps: IncidentWebhookDeps) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, remote: string): Promise<void> => {
    try {
      const actor = authenticate(req, deps, remote);
      const type = String(req.headers['content-type'] ?? '');
      if (!/^application\/json\b/i.test(type)) throw new RuntruthError('bad_message', `send the alert as application/json (got '${type || 'no content type'}')`);
      const text = await readBody(req, MAX_INCIDENT_BODY_BYTES);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new RuntruthError('bad_message', 'the body is not JSON');
      }
      const identity = actor.identity;
      const result = deps.incidents.receive(body, actorOf(identity), (alert) => incidentInScope(identity, alert));
      reply(res, 202, result);
    } catch (e) {
      const err = e instanceof RuntruthError ? e : new RuntruthError('internal', 'the relay failed to store the alert; it has been logged');
      if (!(e instanceof RuntruthError)) deps.log(`${remote}: POST /incidents failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      // a body we stopped reading: close the connection rather than drain an oversized upload
      if (err.code === 'too_large') res.setHeader('connection', 'close');
      reply(res, STATUS[err.code] ?? 500, { ok: false, error: err.toWire() });
    }
  };
}

function authenticate(req: http.IncomingMessage, deps: IncidentWebhookDeps, remote: string) {
  const header = req.headers.authorization;
  const token = typeof header === 'string' && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : '';
  if (!token) throw new RuntruthError('unauthorized', 'send the token as Authorization: Bearer <token>');
  const check = deps.verifier.checkToken(token, deps.now?.() ?? new Date());
  if (!check.ok) {
    deps.failures.record(remote, { endpoint: 'incidents', reason: check.reason, ...(check.tokenId ? { tokenId: check.tokenId, name: check.name } : {}) });
    throw new RuntruthError('unauthorized', check.reason === 'expired' ? 'token expired' : 'unknown or revoked token');
  }
  if (check.identity.role === 'viewer') {
    deps.audit.record({ actor: actorOf(check.identity), action: 'request.denied', target: 'incidents.webhook', details: { why: 'viewer token', remote } });
    throw new RuntruthError('forbidden', `${check.identity.name} (viewer) may not report incidents: use an operator token`);
  }
  deps.secrets.touch(check.rowId, deps.now?.() ?? new Date());
  return check;
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new RuntruthError('too_large', `the body is ${declared} bytes; the limit is ${limit}`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        reject(new RuntruthError('too_large', `the body is over the limit of ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: http.ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
