import type { ProbeSpec } from '../../../backend/protocol/probe';

let counter = 0;

/** A valid log probe spec with test defaults (service "svc", 10 minutes to live); override any field. */
export function logProbe(fields: Partial<Extract<ProbeSpec, { kind: 'log' }>> & { file: string; line: number; template: string }): Extract<ProbeSpec, { kind: 'log' }> {
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

type Spec<K extends ProbeSpec['kind']> = Extract<ProbeSpec, { kind: K }>;
type Given<K extends ProbeSpec['kind']> = Omit<Spec<K>, 'id' | 'kind' | 'selector' | 'createdAt' | 'expiresAt'> & Partial<Pick<Spec<K>, 'id' | 'selector' | 'expiresAt'>>;

function base(): { id: string; selector: { service: string }; createdAt: string; expiresAt: string } {
  const now = Date.now();
  return {
    id: `p-${(++counter).toString(36)}${Math.random().toString(36).slice(2, 6)}`,
    selector: { service: 'svc' },
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 10 * 60_000).toISOString(),
  };
}

/** A valid snapshot probe spec with test defaults; override any field. */
export function snapshotProbe(fields: Given<'snapshot'>): Spec<'snapshot'> {
  return { ...base(), kind: 'snapshot', ...fields };
}

/** A valid metric probe spec with test defaults; override any field. */
export function metricProbe(fields: Given<'metric'>): Spec<'metric'> {
  return { ...base(), kind: 'metric', ...fields };
}
