import type { Evidence, MetricEvidence } from '../../../backend/protocol';
import { parseTypedMessage } from '../assistant/evidence/encoders';
import type { ReadValue } from './assumptions';
import type { CollectedProbe } from './collect';
import { changeOf } from './hunks';
import type { HunkPlan } from './plan';
import type { Exceptions, Finding, LineCounter, ObservedValue, ReviewHunk } from './schema';

/** Keys tying a planned probe to what was collected for it. */
export const counterKey = (hunk: number, line: number) => `h${hunk}:count:${line}`;
export const captureKey = (hunk: number) => `h${hunk}:values`;
export const exitsKey = (hunk: number) => `h${hunk}:exits`;

const round1 = (n: number) => Math.round(n * 10) / 10;
const pct = (share: number) => `${share < 0.01 && share > 0 ? '<1' : Math.round(share * 100)}%`;

/**
 * Turns collected evidence into per-hunk results and findings. Pure and order-independent: evidence is
 * aggregated (sums, sets), lists are sorted, so the same evidence always gives the same hunks.
 */
export function analyzeHunks(plans: readonly HunkPlan[], collected: ReadonlyMap<string, CollectedProbe>): ReviewHunk[] {
  const perFile = new Map<string, number>();
  return plans.map((plan, h) => {
    const { hunk, placement } = plan;
    const n = (perFile.get(hunk.file) ?? 0) + 1;
    perFile.set(hunk.file, n);
    const counters = plan.counters.map((c) => counterResult(c.line, c.role, collected.get(counterKey(h, c.line))));
    const capture = plan.capture ? collected.get(captureKey(h)) : undefined;
    const values = plan.capture ? observeValues(plan.capture.values, capture) : [];
    const notes = [...plan.notes];
    if (capture?.problem) notes.push(`value capture: ${capture.problem}`);
    const rates = counters.map((c) => c.perMinute).filter((r): r is number => r !== undefined);
    const where = `${hunk.deployedFile ?? hunk.file}:${plan.capture?.line ?? placement.anchorLine ?? hunk.oldStart}`;
    // hunks in one function share its timer (placed with the first of them): the figure is the function's
    const timed = plan.exits ? { at: h, exits: plan.exits } : plan.exitsOf !== undefined && plans[plan.exitsOf]?.exits ? { at: plan.exitsOf, exits: plans[plan.exitsOf]!.exits! } : undefined;
    const exceptions = timed ? exceptionsResult(collected.get(counterKey(timed.at, timed.exits.line)), collected.get(exitsKey(timed.at)), timed.exits.function, timed.exits.line) : undefined;
    const findings = [...valueFindings(values, where), ...deletedFindings(counters, plan), ...exceptionFindings(exceptions, hunk.deployedFile ?? hunk.file)].sort(
      (a, b) => severityRank(a) - severityRank(b) || a.kind.localeCompare(b.kind) || (a.expression ?? '').localeCompare(b.expression ?? '') || (a.line ?? 0) - (b.line ?? 0),
    );
    return {
      id: `${hunk.file}#${n}`,
      file: hunk.file,
      ...(hunk.deployedFile ? { deployedFile: hunk.deployedFile } : {}),
      header: hunk.header,
      oldStart: hunk.oldStart,
      oldLines: hunk.oldLines,
      newStart: hunk.newStart,
      newLines: hunk.newLines,
      change: changeOf(hunk),
      mapping: placement.mapping,
      ...(placement.anchorLine ? { anchorLine: placement.anchorLine } : {}),
      ...(placement.deployedLines ? { deployedLines: placement.deployedLines } : {}),
      ...(placement.function ? { function: placement.function } : {}),
      added: hunk.added,
      removed: hunk.removed,
      counters,
      values,
      ...(exceptions ? { exceptions } : {}),
      ...(rates.length ? { perMinute: Math.max(...rates) } : {}),
      findings,
      notes,
    } satisfies ReviewHunk;
  });
}

const severityRank = (f: Finding) => (f.severity === 'warning' ? 0 : 1);

/** Hits per minute over the metric windows received: per instance (hits / time covered), summed over instances. */
export function counterResult(line: number, role: LineCounter['role'], c: CollectedProbe | undefined): LineCounter {
  const base = { line, role, ...(c?.probeId ? { probeId: c.probeId } : {}), state: c?.state ?? 'not-placed' } as const;
  const windows = (c?.evidence ?? []).filter((e): e is MetricEvidence => e.kind === 'metric');
  const byInstance = new Map<string, { hits: number; ms: number }>();
  for (const w of windows) {
    const acc = byInstance.get(w.instance) ?? { hits: 0, ms: 0 };
    acc.hits += w.count;
    acc.ms += Math.max(0, Date.parse(w.window.end) - Date.parse(w.window.start));
    byInstance.set(w.instance, acc);
  }
  const hits = [...byInstance.values()].reduce((s, x) => s + x.hits, 0);
  const coveredMs = [...byInstance.values()].reduce((s, x) => s + x.ms, 0);
  if (windows.length && coveredMs > 0) {
    const perMinute = [...byInstance.values()].reduce((s, x) => s + (x.ms > 0 ? (x.hits / x.ms) * 60_000 : 0), 0);
    return { ...base, hits, coveredMs, perMinute: round1(perMinute) };
  }
  const failed = c?.statuses.find((s) => s.state === 'error' || (s.state === 'pending' && s.code));
  const problem = c?.problem ?? (failed ? failed.reason ?? failed.code : c?.state === 'live' ? 'no metric window arrived in time' : undefined);
  return { ...base, hits, coveredMs, ...(problem ? { problem } : {}), ...(failed?.code ? { problemCode: failed.code } : {}) };
}

/** Tolerance when pairing two probes' windows from the same flush (each aggregator reads the clock itself). */
const SAME_FLUSH_MS = 250;

/**
 * Calls that left the function by throwing: hits at the anchor minus completed anchor→return stretches, over the
 * flush windows both probes covered (each instance's first window is left out: the timer is armed after the
 * counter). Undefined when the two share no window.
 */
export function exceptionsResult(counter: CollectedProbe | undefined, exits: CollectedProbe | undefined, fn: string | undefined, line: number): Exceptions | undefined {
  const windows = (c: CollectedProbe | undefined) => (c?.evidence ?? []).filter((e): e is MetricEvidence => e.kind === 'metric');
  const calls = windows(counter);
  const done = windows(exits);
  if (!calls.length || !done.length) return undefined;
  let total = 0;
  let thrown = 0;
  let perMinute = 0;
  let paired = 0;
  for (const instance of [...new Set(calls.map((w) => w.instance))].sort()) {
    const ends = (ws: MetricEvidence[]) => ws.filter((w) => w.instance === instance).sort((a, b) => a.window.end.localeCompare(b.window.end));
    const a = ends(calls);
    const b = ends(done);
    const pairs: Array<[MetricEvidence, MetricEvidence]> = [];
    for (const w of a.slice(1)) {
      const match = b.slice(1).find((x) => Math.abs(Date.parse(x.window.end) - Date.parse(w.window.end)) <= SAME_FLUSH_MS);
      if (match) pairs.push([w, match]);
    }
    const n = pairs.reduce((s, [w]) => s + w.count, 0);
    const completed = pairs.reduce((s, [, x]) => s + x.count, 0);
    const ms = pairs.reduce((s, [w]) => s + Math.max(0, Date.parse(w.window.end) - Date.parse(w.window.start)), 0);
    total += n;
    thrown += Math.max(0, n - completed);
    paired += pairs.length;
    if (ms > 0) perMinute += (Math.max(0, n - completed) / ms) * 60_000;
  }
  if (!paired) return undefined; // only first windows: the two probes did not cover the same stretch
  return { ...(fn ? { function: fn } : {}), line, calls: total, thrown, perMinute: round1(perMinute) };
}

function exceptionFindings(e: Exceptions | undefined, file: string): Finding[] {
  if (!e || !e.thrown) return [];
  const share = e.thrown / e.calls;
  return [{ kind: 'exceptions', severity: 'info', count: e.thrown, total: e.calls, share, perMinute: e.perMinute,
    message: `${pct(share)} of ${e.calls} calls through ${file}:${e.line} already leave ${e.function ? `\`${e.function}()\`` : 'the function'} by throwing in production (${e.perMinute} a minute).` }];
}

/** Types, numeric range and examples of each captured expression, from the capture logpoint's messages. */
export function observeValues(wanted: readonly ReadValue[], c: CollectedProbe | undefined): ObservedValue[] {
  const names = wanted.map((v) => v.expression);
  const acc = wanted.map(() => ({ samples: 0, types: new Map<string, number>(), min: Infinity, max: -Infinity, examples: new Map<string, Set<string>>() }));
  for (const e of (c?.evidence ?? []) as Evidence[]) {
    if (e.kind !== 'log') continue;
    const parsed = parseTypedMessage(e.message, names);
    if (!parsed) continue;
    names.forEach((name, i) => {
      const v = parsed[name]!;
      const type = v.type.startsWith('<error') ? 'unavailable' : v.type;
      const a = acc[i]!;
      a.samples++;
      a.types.set(type, (a.types.get(type) ?? 0) + 1);
      if (type === 'number') {
        const num = Number(v.text);
        if (Number.isFinite(num)) {
          a.min = Math.min(a.min, num);
          a.max = Math.max(a.max, num);
        }
      }
      const shown = type === 'string' ? JSON.stringify(v.text.slice(0, 60)) : type === 'unavailable' ? 'threw' : v.text.slice(0, 60);
      const set = a.examples.get(type) ?? new Set<string>();
      set.add(shown);
      a.examples.set(type, set);
    });
  }
  return wanted.map((w, i) => {
    const a = acc[i]!;
    const types = Object.fromEntries([...a.types].sort((x, y) => x[0].localeCompare(y[0])));
    const examples = Object.fromEntries([...a.examples].sort((x, y) => x[0].localeCompare(y[0])).map(([t, s]) => [t, [...s].sort().slice(0, 3)]));
    return { expression: w.expression, assumptions: w.assumptions, samples: a.samples, types, ...(a.min <= a.max ? { numeric: { min: a.min, max: a.max } } : {}), examples };
  });
}

function valueFindings(values: readonly ObservedValue[], where: string): Finding[] {
  const out: Finding[] = [];
  const missing = new Set<string>();
  for (const v of values) {
    const available = v.samples - (v.types.unavailable ?? 0);
    const number = v.assumptions.find((a) => a.expects === 'number');
    if (number && available > 0) {
      const bad = Object.entries(v.types).filter(([t]) => t !== 'number' && t !== 'unavailable');
      const count = bad.reduce((s, [, n]) => s + n, 0);
      if (count > 0) {
        const share = count / available;
        const what = bad.map(([t, n]) => `${t} in ${pct(n / available)}${v.examples[t]?.[0] ? ` (e.g. ${v.examples[t]![0]})` : ''}`).join(', ');
        out.push({ kind: 'type-contradiction', severity: 'warning', expression: v.expression, line: number.line, count, total: available, share,
          message: `\`${number.because}\` (new line ${number.line}) uses \`${v.expression}\` as a number, but at ${where} production sees ${what} of ${available} sampled calls.` });
      }
    }
    const present = v.assumptions.find((a) => a.expects === 'present');
    const absent = (v.types.undefined ?? 0) + (v.types.null ?? 0);
    if (present && available > 0 && absent > 0) {
      missing.add(v.expression);
      const share = absent / available;
      out.push({ kind: 'missing-value', severity: 'warning', expression: v.expression, line: present.line, count: absent, total: available, share,
        message: `\`${present.because}\` (new line ${present.line}) reads through \`${v.expression}\`, but at ${where} it is undefined or null in ${pct(share)} of ${available} sampled calls.` });
    }
  }
  for (const v of values) {
    const threw = v.types.unavailable ?? 0;
    if (!threw || !v.samples || [...missing].some((m) => v.expression.startsWith(`${m}.`))) continue;
    out.push({ kind: 'evaluation-failed', severity: 'info', expression: v.expression, count: threw, total: v.samples, share: threw / v.samples,
      message: `\`${v.expression}\` could not be read at ${where} in ${pct(threw / v.samples)} of ${v.samples} sampled calls (it threw there).` });
  }
  return out;
}

function deletedFindings(counters: readonly LineCounter[], plan: HunkPlan): Finding[] {
  const deleted = counters.filter((c) => c.role === 'deleted-body' || (c.role === 'deleted' && changeOf(plan.hunk) === 'deleted'));
  // the body of a removed block says whether the branch is taken; its first line only that it is evaluated
  const best = deleted.find((c) => c.role === 'deleted-body') ?? deleted[0];
  if (!best || !best.hits || best.perMinute === undefined) return [];
  const r = plan.hunk.removed;
  const span = r.length > 1 ? `lines ${r[0]!.line}-${r[r.length - 1]!.line}` : `line ${r[0]!.line}`;
  const first = r.find((l) => l.line === plan.placement.anchorLine)?.text.trim() ?? '';
  return [{ kind: 'deleted-code-runs', severity: 'warning', line: best.line, count: best.hits, total: best.hits, perMinute: best.perMinute,
    message: `The PR deletes ${span} of ${plan.hunk.deployedFile} (\`${first.slice(0, 80)}\`), but line ${best.line} still runs ${best.perMinute} times a minute in production (${best.hits} hits while measured).` }];
}
