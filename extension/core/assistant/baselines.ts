import type { Evidence } from '../../../backend/protocol';
import type { Deployment } from './deployments';
import { captureList } from './evidence/captures';
import type { ProbeEncoder } from './evidence/encoders';
import { siteKey, type SiteEvidence } from './evidence/sites';
import { RepoFiles } from './git/files';
import type { RuntimePort } from './runtime';
import type { Observation, PlannedProbe } from './schema';

/**
 * Pre-deploy baselines: the same branch counters measured on the code as it ran BEFORE the deploy, so "this
 * branch never fires" becomes "this branch stopped firing at the deploy" (or "it never fired before either").
 * Two sources, both through the relay: evidence stored before the deploy by a probe with the same captures at
 * the same statement (an earlier investigation, a standing probe), and evidence from instances of another
 * commit that still run (a canary or a half-done rollout), which the relay stores like any other.
 */
export type BaselineSource = 'stored-before-deploy' | 'other-commit-instances';

export interface BranchCount {
  observations: number;
  /** Observations in which the comparison was true. */
  trues: number;
}

/** One comparison's true-rate before and after the deploy, and what the difference means. */
export interface BranchBaseline {
  file: string;
  line: number;
  role: PlannedProbe['role'];
  expression: string;
  /** Leaf names the comparison reads, and one step upstream of them. */
  identifiers: string[];
  upstream: string[];
  before: BranchCount;
  after: BranchCount;
  sources: BaselineSource[];
  /**
   * never-fires / always-fires: constant since the deploy but not before; rate-changed: a significant shift;
   * same: the rates agree (|z| < 1); inconclusive: too few observations to tell either way.
   */
  change: 'never-fires' | 'always-fires' | 'rate-changed' | 'same' | 'inconclusive';
  /** While inconclusive and constant since the deploy: the observations after it that would make it significant. */
  needed?: number;
  /** One sentence with the counts, for the score breakdown. */
  detail: string;
}

/** Observations needed on each side before a comparison of rates means anything. */
export const BASELINE_MIN = 10;
/** Chance of the after-deploy counts under the before-deploy rate below which the change is real. */
const SIGNIFICANCE = 0.001;
/** |z| of a two-proportion test at about the same level. */
const Z_CRITICAL = 3.3;
/** A run longer than this is not worth waiting for (the assistant's probes stop at 200 hits per instance). */
const MAX_WAIT_OBSERVATIONS = 150;
/** Evidence read per refresh (the relay pages it by 1000). */
const MAX_SCAN = 20_000;

/** Compares each comparison the plan captures: true-rate after the deploy versus before. Pure. */
export function compareBranches(plan: PlannedProbe, after: readonly Observation[], before: readonly Observation[], sources: BaselineSource[]): BranchBaseline[] {
  const out: BranchBaseline[] = [];
  for (const c of plan.comparisons) {
    if (c.left === undefined || c.right === undefined) continue;
    const expression = `${c.left} ${c.op} ${c.right}`;
    const a = countTrue(after, expression);
    const b = countTrue(before, expression);
    const leaves = [c.left, c.right].filter((e) => /^[\w$.?]+$/.test(e) && !/^\d/.test(e)).map(leafOf);
    const identifiers = [...new Set(leaves)].sort();
    const upstream = [...new Set(leaves.flatMap((l) => plan.upstream[l] ?? []))].filter((u) => !identifiers.includes(u)).sort();
    const change = classify(a, b);
    const pct = (x: BranchCount) => `${x.trues} of ${x.observations}`;
    const counts = `\`${expression}\` was true in ${pct(a)} observation(s) since the deploy, ${pct(b)} before it (${sources.join(', ')})`;
    const detail = change === 'inconclusive' ? `${counts}: too few to tell` : counts;
    const needed = change === 'inconclusive' ? neededAfter(a, b) : undefined;
    out.push({ file: plan.file, line: plan.line, role: plan.role, expression, identifiers, upstream, before: b, after: a, sources, change, ...(needed ? { needed } : {}), detail });
  }
  return out;
}

function countTrue(observations: readonly Observation[], expression: string): BranchCount {
  let n = 0;
  let trues = 0;
  for (const o of observations) {
    const v = o.values[expression];
    if (!v || v.unavailable || v.type !== 'boolean') continue;
    n++;
    if (v.text === 'true') trues++;
  }
  return { observations: n, trues };
}

function classify(a: BranchCount, b: BranchCount): BranchBaseline['change'] {
  if (a.observations < BASELINE_MIN || b.observations < BASELINE_MIN) return 'inconclusive';
  const rateA = a.trues / a.observations;
  const rateB = b.trues / b.observations;
  // constant since the deploy: how likely is a run that long under the old rate?
  if (rateA === 0 && rateB > 0 && (1 - rateB) ** a.observations < SIGNIFICANCE) return 'never-fires';
  if (rateA === 1 && rateB < 1 && rateB ** a.observations < SIGNIFICANCE) return 'always-fires';
  const pooled = (a.trues + b.trues) / (a.observations + b.observations);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.observations + 1 / b.observations));
  if (se === 0) return 'same'; // constant, and the same constant, on both sides
  const z = Math.abs(rateA - rateB) / se;
  return z >= Z_CRITICAL ? 'rate-changed' : z < 1 ? 'same' : 'inconclusive';
}

/** For a branch constant so far since the deploy: the run length that would be significant under the old rate. */
function neededAfter(a: BranchCount, b: BranchCount): number | undefined {
  if (b.observations < BASELINE_MIN || a.observations === 0) return undefined;
  const rateB = b.trues / b.observations;
  const keeps = a.trues === 0 ? 1 - rateB : a.trues === a.observations ? rateB : undefined;
  if (keeps === undefined || keeps <= 0 || keeps >= 1) return undefined;
  const n = Math.ceil(Math.log(SIGNIFICANCE) / Math.log(keeps));
  return n <= MAX_WAIT_OBSERVATIONS ? Math.max(n, BASELINE_MIN) : undefined;
}

const leafOf = (e: string) => e.split(/\??\./).pop()!;

/**
 * Finds and keeps baseline observations for an investigation's sites. `refresh` (async) reads the relay and
 * the previous revision's files; `compare` (sync, for the scorer) uses what refresh found.
 */
export class BaselineBook {
  private readonly items = new Map<number, Evidence>();
  private afterId = 0;
  private readonly files = new Map<string, RepoFiles>();
  /** `commit\0file` → the file's lines at that commit. */
  private readonly texts = new Map<string, string[] | undefined>();
  private deployedAt: number;

  constructor(
    private readonly deps: { repo: string; deployment: Deployment; deployed: string; deployedFiles: RepoFiles; runtime: RuntimePort; encoder: ProbeEncoder },
  ) {
    this.deployedAt = Date.parse(deps.deployment.deployedAt ?? '') || Infinity;
  }

  /** The commit an instance runs, when its registration said. */
  commitOf(instanceId: string): string | undefined {
    return this.deps.deployment.instances.find((i) => i.id === instanceId)?.commit;
  }

  /** Evidence from an instance known to run another commit measures other code: it is a baseline, not the incident. */
  isOtherCommit(instanceId: string): boolean {
    const commit = this.commitOf(instanceId);
    return commit !== undefined && commit !== this.deps.deployed;
  }

  private stillRunning(instanceId: string): boolean {
    return this.isOtherCommit(instanceId) && this.deps.deployment.instances.some((i) => i.id === instanceId && i.connected);
  }

  /** Reads new service evidence (bounded) and the files needed to check that old evidence measured the same statement. */
  async refresh(sites: readonly SiteEvidence[]): Promise<void> {
    const read = this.deps.runtime.serviceEvidence;
    if (!read || !sites.some((s) => s.plan.comparisons.length)) return;
    for (let scanned = 0; scanned < MAX_SCAN; ) {
      const page = await read(this.deps.deployment.service, this.afterId, 1000);
      for (const e of page.items) {
        if (e.kind !== this.deps.encoder.kind || !('instance' in e)) continue;
        if (this.isOtherCommit(e.instance) || (this.commitOf(e.instance) === undefined && Date.parse(e.at) < this.deployedAt)) this.items.set(e.id!, e);
      }
      scanned += page.items.length;
      if (page.items.length < 1000 || page.lastId <= this.afterId) break;
      this.afterId = page.lastId;
    }
    const commits = new Set([...this.items.values()].map((e) => this.commitOfEvidence(e)).filter((c): c is string => !!c));
    for (const s of sites) for (const commit of [this.deps.deployed, ...commits]) await this.lines(commit, s.plan.file);
  }

  /** Baselines for every comparison site; sites with no baseline observations are left out. */
  compare(sites: readonly SiteEvidence[]): BranchBaseline[] {
    const out: BranchBaseline[] = [];
    for (const site of sites) {
      if (!site.plan.comparisons.length || !site.probeId) continue;
      const { observations, sources } = this.baselineOf(site);
      if (!observations.length) continue;
      out.push(...compareBranches(site.plan, site.observations, observations, sources));
    }
    return out.sort((a, b) => siteKey(a).localeCompare(siteKey(b)) || a.expression.localeCompare(b.expression));
  }

  private baselineOf(site: SiteEvidence): { observations: Observation[]; sources: BaselineSource[] } {
    const deployedLine = this.texts.get(`${this.deps.deployed}\0${site.plan.file}`)?.[site.plan.line - 1]?.trim();
    if (!deployedLine) return { observations: [], sources: [] };
    const observations: Observation[] = [];
    const sources = new Set<BaselineSource>();
    const watches = captureList(site.plan).map((c) => c.expr);
    for (const e of [...this.items.values()].sort((a, b) => a.id! - b.id!)) {
      if (e.kind === 'snapshot' && (e.watches ?? []).map((w) => w.expression).join('\0') !== watches.join('\0')) continue;
      const o = this.deps.encoder.decode(site.plan, e);
      if (!o) continue;
      // the old code must hold the same statement: the values are only comparable if the line is the same
      const commit = this.commitOfEvidence(e);
      const lines = commit ? this.texts.get(`${commit}\0${site.plan.file}`) : undefined;
      const same = e.probeId === site.probeId ? lines?.[site.plan.line - 1]?.trim() === deployedLine : lines?.some((l) => l.trim() === deployedLine);
      if (!same) continue;
      observations.push(o);
      sources.add(this.stillRunning(e.instance ?? '') ? 'other-commit-instances' : 'stored-before-deploy');
    }
    return { observations, sources: [...sources].sort() };
  }

  /** The commit evidence was measured on: its instance's, else (stored before the deploy) the previous deploy. */
  private commitOfEvidence(e: Evidence): string | undefined {
    return ('instance' in e ? this.commitOf(e.instance ?? '') : undefined) ?? this.deps.deployment.previous;
  }

  private async lines(commit: string, file: string): Promise<void> {
    const key = `${commit}\0${file}`;
    if (this.texts.has(key)) return;
    let files = commit === this.deps.deployed ? this.deps.deployedFiles : this.files.get(commit);
    if (!files) this.files.set(commit, (files = new RepoFiles(this.deps.repo, commit)));
    this.texts.set(key, (await files.read(file).catch(() => undefined))?.split('\n'));
  }
}
