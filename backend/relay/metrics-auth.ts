import type http from 'node:http';
import type { AuthFailureAudit } from './auth-failures';
import type { SecretVerifier } from './secrets';

/**
 * Who may read /metrics: anyone with a valid token (any role, as `Authorization: Bearer <token>`, which
 * Prometheus sends with `authorization: { credentials: ... }`), or everyone when the operator chose `--metrics-public`.
 */
export function metricsGate(opts: { public: boolean; verifier: SecretVerifier; failures: AuthFailureAudit; now?: () => Date }): (req: http.IncomingMessage, remote: string) => boolean {
  if (opts.public) return () => true;
  return (req, remote) => {
    const token = /^Bearer\s+(\S{1,512})$/i.exec(req.headers.authorization ?? '')?.[1];
    const check = token === undefined ? undefined : opts.verifier.checkToken(token, opts.now?.() ?? new Date());
    if (check?.ok) return true;
    opts.failures.record(remote, { endpoint: 'metrics', reason: check ? check.reason : 'missing', ...(check?.tokenId ? { tokenId: check.tokenId } : {}) });
    return false;
  };
}
