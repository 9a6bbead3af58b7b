import type { ProbeStatus } from '../protocol';

/** Every instance that reported could not place the probe: the CLI removes it and fails with the reasons. */
export class ProbeFailedError extends Error {
  override name = 'ProbeFailedError';
}

/** Older agents send no `code`: their reason text is the fallback. */
const NOT_LOADED_TEXT = /no loaded script matches/i;
const notLoaded = (s: ProbeStatus) => s.state === 'pending' && (s.code === 'not_loaded' || (s.code === undefined && NOT_LOADED_TEXT.test(s.reason ?? '')));

/**
 * Waits until every expected instance has reported a settled state for the probe (or `waitMs` passes),
 * then judges: any bound → ok; all errors, or (without allowPending) nothing loaded the file → failure.
 */
export async function settleStatuses(
  probeId: string,
  expected: string[],
  current: () => ProbeStatus[],
  waitMs: number,
  allowPending: boolean,
): Promise<ProbeStatus[]> {
  const deadline = Date.now() + waitMs;
  const settledFor = (s: ProbeStatus[]) => expected.every((id) => s.some((x) => x.instanceId === id && x.state !== 'pending'));
  const reportedBy = (s: ProbeStatus[]) => expected.every((id) => s.some((x) => x.instanceId === id));
  let statuses = current();
  // A pending report may still turn into bound/error; give it the full wait only while it is not final.
  while (expected.length && !settledFor(statuses) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    statuses = current();
    if (reportedBy(statuses) && statuses.every((s) => s.state !== 'pending' || notLoaded(s))) break;
  }
  const mine = statuses.filter((s) => expected.includes(s.instanceId));
  if (!expected.length || mine.some((s) => s.state === 'bound')) return mine;
  const errors = mine.filter((s) => s.state === 'error');
  if (errors.length && errors.length === mine.length) {
    throw new ProbeFailedError(`${probeId} could not be placed: ${unique(errors.map((s) => s.reason ?? 'unknown error')).join('; ')}`);
  }
  if (!allowPending && mine.length && mine.every(notLoaded)) {
    throw new ProbeFailedError(
      `${probeId} not placed: ${unique(mine.map((s) => s.reason!)).join('; ')} (use --pending to keep it until the file loads)`,
    );
  }
  return mine;
}

const unique = (xs: string[]) => [...new Set(xs)];
