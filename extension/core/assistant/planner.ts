import { squash } from './code/keywords';
import { SourceFacts, type LineFacts } from './code/lineFacts';
import type { CodeContext } from './codeContext';
import { leafName, type CommitFacts } from './commitFacts';
import { isLiteral } from './evidence/captures';
import { siteKey } from './evidence/sites';
import { PlannedProbe, type Anomaly, type Hypothesis } from './schema';

/** Most values a planned probe captures by default (each costs a little on every hit). */
const MAX_VALUES = 8;

/** Source facts per file at the deployed revision, parsed once. */
export class FactsCache {
  private readonly cache = new Map<string, Promise<SourceFacts | undefined>>();
  constructor(private readonly read: (file: string) => Promise<string | undefined>) {}
  of(file: string): Promise<SourceFacts | undefined> {
    let hit = this.cache.get(file);
    if (!hit) {
      hit = this.read(file).then((text) => (text === undefined ? undefined : new SourceFacts(text)));
      this.cache.set(file, hit);
    }
    return hit;
  }
}

/** What to capture at a line: the operands of its comparisons first (types decide them), then what it reads. */
export function capturesFor(lf: LineFacts): string[] {
  const operands = [...lf.comparisons, ...lf.arithmetic].flatMap((o) => [o.left, o.right]).filter((e): e is string => e !== undefined && !isLiteral(e));
  const ordered = [...operands, ...lf.truthTests, ...lf.reads.filter((r) => !lf.keys.includes(r))];
  return [...new Set(ordered)].slice(0, MAX_VALUES);
}

/** A probe at `file:line` capturing what the line reads (or `captures`, when given); undefined when nothing there can be captured. */
export function planAt(
  facts: SourceFacts,
  at: { file: string; line: number },
  role: PlannedProbe['role'],
  hypothesisIds: string[],
  reason: string,
  captures?: readonly string[],
): PlannedProbe | undefined {
  const lf = facts.facts(at.line);
  if (!lf.code) return undefined;
  let exprs = captures?.length ? [...new Set(captures)].slice(0, MAX_VALUES + 4) : capturesFor(lf);
  if (lf.catchParam && !captures?.length) exprs = [lf.catchParam, ...tryInputs(facts, at.line)].slice(0, MAX_VALUES);
  if (!exprs.length) return undefined;
  const values = exprs;
  return PlannedProbe.parse({
    file: at.file,
    line: at.line,
    role,
    hypothesisIds,
    reason,
    values: values.map((e) => ({ name: e, expr: e })),
    comparisons: lf.comparisons.filter((c) => c.left !== undefined && c.right !== undefined).slice(0, 4),
    arithmetic: lf.arithmetic.filter((a) => a.left !== undefined || a.right !== undefined).slice(0, 4),
    truthTests: lf.truthTests.filter((t) => values.includes(t)).slice(0, 4),
    ...(lf.catchParam ? { catchParam: lf.catchParam } : {}),
    topLevel: !facts.insideFunction(at.line),
    writes: [...new Set(lf.writes.map(leafName))],
    upstream: upstreamOf(facts, at.line, values.map(leafName)),
  });
}

/** How far back in a function to look for the line that computed a local. */
const DATAFLOW_LINES = 40;

/**
 * One step of data flow back from `line`: for each name, the nearest earlier line in the same function that
 * writes it as a variable, and what that line read or called (`const rate = Number(region.taxRate)` → rate ← taxRate,
 * region; `const fee = cardFee(card)` → fee ← cardFee, card).
 */
export function upstreamOf(facts: SourceFacts, line: number, names: readonly string[], depth = DATAFLOW_STEPS): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const fn = facts.enclosingFunction(line);
  for (const name of new Set(names)) {
    const found = new Set<string>();
    // follow the chain back (total ← fee ← cardFee), a few steps, each to the nearest earlier writer
    let frontier: { name: string; from: number }[] = [{ name, from: line }];
    for (let step = 0; step < depth && frontier.length; step++) {
      const next: { name: string; from: number }[] = [];
      for (const f of frontier) {
        const writer = writerOf(facts, f.name, f.from, fn);
        if (!writer) continue;
        for (const r of writer.reads) if (r !== name && !found.has(r)) {
          found.add(r);
          next.push({ name: r, from: writer.line });
        }
      }
      frontier = next;
    }
    if (found.size) out[name] = [...found].sort();
  }
  return out;
}

/** Steps of data flow followed back from a probe. */
const DATAFLOW_STEPS = 3;

function writerOf(facts: SourceFacts, name: string, before: number, fn: string | undefined): { line: number; reads: string[] } | undefined {
  for (let l = before - 1; l >= Math.max(1, before - DATAFLOW_LINES); l--) {
    const lf = facts.facts(l);
    if (!lf.code || facts.enclosingFunction(l) !== fn) continue;
    if (!lf.writes.some((w) => !lf.keys.includes(w) && leafName(w) === name)) continue;
    return { line: l, reads: [...new Set([...lf.reads.map(leafName), ...lf.calls])].filter((r) => r !== name) };
  }
  return undefined;
}

/** Values the try block (before a catch on `line`) reads: what an exception there is about. */
function tryInputs(facts: SourceFacts, line: number): string[] {
  const out: string[] = [];
  for (let l = line; l >= Math.max(1, line - 10); l--) {
    const lf = facts.facts(l);
    out.push(...lf.reads.filter((r) => r !== lf.catchParam));
    if (/\btry\b/.test(facts.lineText(l))) break;
  }
  return [...new Set(out)];
}

/**
 * Where the question's behaviour is decided: lines in the searched files (and a few lines around each hit) that
 * compare, compute or test values inside functions — at most `max`, at most two per file.
 */
export async function planSymptomProbes(ctx: CodeContext, cache: FactsCache, max: number, exclude: ReadonlySet<string> = new Set()): Promise<PlannedProbe[]> {
  const candidates: { file: string; line: number; score: number; lf: LineFacts }[] = [];
  for (const [rank, hit] of ctx.searchHits.slice(0, 6).entries()) {
    const facts = await cache.of(hit.file);
    if (!facts) continue;
    const near = new Map<number, number>();
    for (const l of hit.lines.slice(0, 20)) {
      for (let d = -4; d <= 4; d++) {
        const line = l.line + d;
        const score = l.score / (1 + Math.abs(d));
        if (line >= 1 && (near.get(line) ?? 0) < score) near.set(line, score);
      }
    }
    for (const [line, base] of near) {
      const lf = facts.facts(line);
      if (!lf.code || !facts.insideFunction(line) || exclude.has(siteKey({ file: hit.file, line }))) continue;
      const decides = (lf.comparisons.some((c) => c.left && c.right) ? 2 : 0) + (lf.arithmetic.length || lf.truthTests.length ? 1 : 0) + (lf.catchParam ? 2 : 0);
      if (!decides || (!capturesFor(lf).length && !lf.catchParam)) continue;
      candidates.push({ file: hit.file, line, score: base + decides - rank * 0.25, lf });
    }
  }
  candidates.sort((a, b) => b.score - a.score || a.file.localeCompare(b.file) || a.line - b.line);
  const out: PlannedProbe[] = [];
  const perFile = new Map<string, number>();
  for (const c of candidates) {
    if (out.length >= max || (perFile.get(c.file) ?? 0) >= 2) continue;
    const facts = (await cache.of(c.file))!;
    const fn = facts.enclosingFunction(c.line);
    const plan = planAt(facts, c, 'symptom', [], `decides the behaviour in the question${fn ? ` in ${fn}()` : ''}: ${facts.lineText(c.line).trim().slice(0, 120)}`);
    if (!plan) continue;
    out.push(plan);
    perFile.set(c.file, (perFile.get(c.file) ?? 0) + 1);
  }
  return out;
}

/**
 * Probes for one change hypothesis: its best deployed line inside a function (capturing what it reads), and
 * where possible the next statement (capturing what it wrote). At most `max`.
 */
export async function planChangeProbes(
  ctx: CodeContext,
  cache: FactsCache,
  h: Hypothesis,
  commit: CommitFacts | undefined,
  max = 2,
  exclude: ReadonlySet<string> = new Set(),
  /** Also probe where load-time changes are used (callers plan those after every hypothesis' own lines). */
  useSites = true,
): Promise<PlannedProbe[]> {
  const locations = commit ? commit.surviving : h.suspectLocations;
  const ranked: { file: string; line: number; score: number; lf: LineFacts; facts: SourceFacts }[] = [];
  for (const loc of locations) {
    const facts = await cache.of(loc.file);
    if (!facts) continue;
    const lf = facts.facts(loc.line);
    if (!lf.code || !facts.insideFunction(loc.line)) continue;
    const variables = lf.writes.filter((w) => !lf.keys.includes(w));
    const text = squash(facts.lineText(loc.line));
    const score =
      (lf.comparisons.length ? 2 : 0) +
      (lf.arithmetic.length || lf.truthTests.length ? 1 : 0) +
      (variables.length ? 1 : 0) +
      (lf.keys.length ? 0.5 : 0) +
      Math.min(2, lf.reads.length) * 0.5 +
      (ctx.terms.some((t) => text.includes(t.stem)) ? 1 : 0) +
      1 / (1 + (ctx.path.get(loc.file) ?? 3));
    ranked.push({ file: loc.file, line: loc.line, score, lf, facts });
  }
  ranked.sort((a, b) => b.score - a.score || a.file.localeCompare(b.file) || a.line - b.line);
  const out: PlannedProbe[] = [];
  if (!ranked.length && commit && useSites) {
    // only load-time lines changed (a constant, a table, a flag): probe where the running code uses them
    out.push(...(await planUseSites(ctx, cache, h, commit, Math.min(1, max), exclude)));
    return out;
  }
  for (const r of ranked) {
    if (out.length >= max) break;
    const where = r.facts.enclosingFunction(r.line);
    const label = commit ? `${commit.sha.slice(0, 8)} changed this line${where ? ` in ${where}()` : ''}` : `suspect line${where ? ` in ${where}()` : ''}`;
    if (!exclude.has(siteKey(r))) {
      const plan = planAt(r.facts, r, 'change', [h.id], `${label}: ${r.facts.lineText(r.line).trim().slice(0, 120)}`);
      if (plan) out.push(plan);
    }
    const variables = r.lf.writes.filter((w) => !r.lf.keys.includes(w));
    const next = variables.length ? r.facts.nextStatementLine(r.line) : undefined;
    if (next !== undefined && out.length < max && !exclude.has(siteKey({ file: r.file, line: next }))) {
      const plan = planAt(r.facts, { file: r.file, line: next }, 'written', [h.id], `reads what line ${r.line} wrote (${variables.join(', ')})`, variables);
      if (plan) out.push(plan);
    }
  }
  return out;
}

/**
 * Probes where the running code reads what a commit defines at load time (`MAX_REQUESTS`, `REGIONS`,
 * `config.strictScreening`): the commit's own lines ran once, at startup, so its values are seen in use.
 */
async function planUseSites(ctx: CodeContext, cache: FactsCache, h: Hypothesis, commit: CommitFacts, max: number, exclude: ReadonlySet<string>): Promise<PlannedProbe[]> {
  const names = new Set(commit.writes);
  if (!names.size) return [];
  const files = [...new Set([...commit.codeFiles, ...ctx.path.keys()])].slice(0, 30);
  const candidates: { file: string; line: number; score: number; facts: SourceFacts; used: string[] }[] = [];
  for (const file of files) {
    const facts = await cache.of(file);
    if (!facts) continue;
    for (let line = 1; line <= facts.lineCount; line++) {
      const lf = facts.facts(line);
      if (!lf.code || exclude.has(siteKey({ file, line })) || !facts.insideFunction(line)) continue;
      const used = [...new Set(lf.reads.map(leafName).concat(lf.reads.flatMap((r) => r.split('.'))))].filter((n) => names.has(n));
      if (!used.length) continue;
      const score = used.length + (lf.comparisons.length ? 2 : 0) + (lf.arithmetic.length || lf.truthTests.length ? 1 : 0) + 1 / (1 + (ctx.path.get(file) ?? 3));
      candidates.push({ file, line, score, facts, used });
    }
  }
  candidates.sort((a, b) => b.score - a.score || a.file.localeCompare(b.file) || a.line - b.line);
  const out: PlannedProbe[] = [];
  for (const c of candidates) {
    if (out.length >= max) break;
    const fn = c.facts.enclosingFunction(c.line);
    const plan = planAt(c.facts, c, 'symptom', [h.id], `uses ${c.used.join(', ')}, which ${commit.sha.slice(0, 8)} changed at load time${fn ? `; in ${fn}()` : ''}: ${c.facts.lineText(c.line).trim().slice(0, 100)}`);
    if (plan) out.push(plan);
  }
  return out;
}

/**
 * Following an anomaly back: where the anomalous value was computed, one step up in the same function
 * (`if (needed > 0)` shows NaN → probe `const needed = target - stock.onHand`). At most `max`.
 */
export async function planFollowUps(cache: FactsCache, anomalies: readonly Anomaly[], max: number, exclude: ReadonlySet<string>): Promise<PlannedProbe[]> {
  const out: PlannedProbe[] = [];
  const planned = new Set(exclude);
  for (const a of anomalies) {
    if (a.kind === 'constant-branch' || out.length >= max) continue;
    const facts = await cache.of(a.file);
    if (!facts) continue;
    for (const id of a.identifiers) {
      const writer = writerOf(facts, id, a.line, facts.enclosingFunction(a.line));
      if (!writer || planned.has(siteKey({ file: a.file, line: writer.line })) || out.length >= max) continue;
      const plan = planAt(facts, { file: a.file, line: writer.line }, 'symptom', [], `where ${id} was computed (it shows ${a.kind} at line ${a.line}): ${facts.lineText(writer.line).trim().slice(0, 100)}`);
      if (!plan) continue;
      planned.add(siteKey(plan));
      out.push(plan);
    }
  }
  return out;
}
