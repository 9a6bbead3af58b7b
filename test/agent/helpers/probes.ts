import type { ProbeSpec } from '../../../backend/protocol/probe';

let counter = 0;

/** A valid log probe spec with test defaults (service "svc", 10 minutes to live); override any field. */
export function logProbe(fields: Partial<Extract<ProbeSpec, { kind: 'log' }>> & { file: string; line: number; template: string }): ProbeSpec {
  const now = Date.now();
  return {
    id: `p-${(++counter).toString(36)}${Math.random().toString(36).slice(2, 6)}`,
    kind: 'log',
    selector: { service: 'svc' },
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 10 * 60_000).toISOString(),
    ...fields,
  };
}
