import type { Evidence, ProbeKind, ProbeStatus, ProbeView } from '../../../backend/protocol';
import { assessRisk, type Approver, type Proposal } from './approval';
import { BaselineBook, type BranchBaseline } from './baselines';
import { gatherCodeContext, type CodeContext } from './codeContext';
import { chooseService, deploymentOf, type Deployment } from './deployments';
import { termsFromQuestion } from './code/keywords';
import { CONSTANT_BRANCH_MIN } from './evidence/anomalies';
import { captureList } from './evidence/captures';
import { DEFAULT_BUDGET, encoders, type ProbeBudget, type ProbeEncoder } from './evidence/encoders';
import { addObservations, newSite, siteKey, type SiteEvidence } from './evidence/sites';
import type { InvestigationEvent } from './events';
import { FactsCache } from './planner';
import type { RuntimePort } from './runtime';
import { Hypothesis, type HypothesisInput, type PlannedProbe, type Score } from './schema';
import { scoreHypotheses } from './scorer';

export interface SessionOptions {
  question: string;
  /** A directory inside the service's git repository. */
  repo: string;
  runtime: RuntimePort;
  approver: Approver;
  service?: string;
  /** When the incident began (from an alert); default: when the deployed commit started. */
  incidentAt?: Date;
  /** The alert the investigation started from (relay incident), for the timeline and the report. */
  incident?: { id: string; title: string };
  /** The deployed commit when the instances do not report one (default: the repository's HEAD). */
  deployed?: string;
  /** Observations per probe before its values (or its silence) count. Default 5. */
  minHits?: number;
  /** Preferred probe kind; falls back to logpoints when the relay does not allow it. Default 'log'. */
  probeKind?: ProbeKind;
  budget?: ProbeBudget;
  /** Reads audit entries for the report (e.g. through an admin's connection); default: the assistant's own. */
  audit?: RuntimePort['audit'];
  onEvent?: (event: InvestigationEvent) => void;
  now?: () => number;
  /** Stops waiting (approvals, evidence) as soon as it fires; the investigation then concludes with what it has. */
  signal?: AbortSignal;
}

/**
 * One investigation's state and the operations both investigators use — the built-in heuristics and a
 * model's tools: read code and history, keep hypotheses, propose probes (always as proposals), gather and
 * score evidence. Nothing here decides what to do next; that is the investigator's job.
 */
export class InvestigationSession {
  readonly sites = new Map<string, SiteEvidence>();
  readonly notes: string[] = [];
  hypotheses: Hypothesis[] = [];
  scores: Score[] = [];
  readonly facts: FactsCache;
  readonly minHits: number;
  readonly startedAt: number;
  private readonly byProbe = new Map<string, string>();
  private readonly unrouted = new Map<string, Evidence[]>();
  private readonly disposers: Array<() => unknown> = [];
  private readonly encoder: ProbeEncoder;
  private stopFollow?: () => Promise<void>;
  /** The same counters before the deploy (stored evidence, instances of the previous commit). */
  readonly baseline: BaselineBook;
  baselines: BranchBaseline[] = [];

  private constructor(
    readonly options: SessionOptions,
    readonly deployment: Deployment,
    readonly code: CodeContext,
    encoder: ProbeEncoder,
  ) {
    this.facts = new FactsCache((file) => code.files.read(file));
    this.minHits = options.minHits ?? 5;
    this.startedAt = this.now();
    this.encoder = encoder;
    this.baseline = new BaselineBook({ repo: code.repo, deployment, deployed: code.deployed, deployedFiles: code.files, runtime: options.runtime, encoder });
  }

  /** Chooses the service, reads its deployments and the code window, and starts following its evidence. */
  static async open(options: SessionOptions): Promise<InvestigationSession> {
    const terms = termsFromQuestion(options.question);
    const service = chooseService(await options.runtime.services(), options.service, terms);
    const deployment = deploymentOf(service);
    const incidentAt = options.incidentAt ?? (deployment.deployedAt ? new Date(deployment.deployedAt) : undefined);
    const code = await gatherCodeContext({
      repo: options.repo,
      question: options.question,
      deployed: deployment.deployed ?? options.deployed,
      ...(deployment.previous ? { previous: deployment.previous } : {}),
      ...(incidentAt ? { incidentAt } : {}),
    });
    const allowed = await options.runtime.allowedKinds();
    const wanted = options.probeKind ?? 'log';
    const kind = [wanted, 'log' as const].find((k) => encoders[k] && (!allowed || allowed.includes(k)));
    if (!kind) throw new Error(`the relay's policy lets ${options.runtime.identity.name} place none of the probe kinds the assistant uses (log)`);
    const session = new InvestigationSession(options, deployment, code, encoders[kind]!);
    if (kind !== wanted) session.note(`${wanted} probes are not allowed here; using ${kind} probes`);
    if (!deployment.deployed) session.note(`the instances of ${deployment.service} did not report a deployed commit; assuming ${code.deployed.slice(0, 8)} (${options.deployed ?? 'HEAD'})`);
    await session.follow();
    return session;
  }

  get service(): string {
    return this.deployment.service;
  }

  get probeKind(): ProbeKind {
    return this.encoder.kind;
  }

  now(): number {
    return (this.options.now ?? Date.now)();
  }

  emit(event: InvestigationEvent): void {
    this.options.onEvent?.(event);
  }

  note(text: string): void {
    this.notes.push(text);
    this.emit({ type: 'note', text });
  }

  /** Adds or replaces hypotheses (validated); returns the stored ones. */
  setHypotheses(inputs: readonly HypothesisInput[]): Hypothesis[] {
    const parsed = inputs.map((h) => Hypothesis.parse(h));
    const byId = new Map(this.hypotheses.map((h) => [h.id, h]));
    for (const h of parsed) byId.set(h.id, h);
    this.hypotheses = [...byId.values()];
    this.emit({ type: 'hypotheses', hypotheses: this.hypotheses });
    return parsed;
  }

  /** Re-scores every hypothesis from what is known now. */
  rescore(): Score[] {
    const sites = [...this.sites.values()];
    this.baselines = this.baseline.compare(sites);
    this.scores = scoreHypotheses({ hypotheses: this.hypotheses, commits: this.code.facts, sites, minHits: this.minHits, baselines: this.baselines });
    this.emit({ type: 'scores', scores: this.scores, hypotheses: this.hypotheses });
    return this.scores;
  }

  /**
   * Proposes probes for the plans not already placed (or merges hypothesis ids into the existing site),
   * then lets the approver review the batch. Returns the proposals made.
   */
  async propose(plans: readonly PlannedProbe[]): Promise<Proposal[]> {
    const proposals: Proposal[] = [];
    for (const plan of plans) {
      const key = siteKey(plan);
      const existing = this.sites.get(key);
      if (existing && existing.state !== 'planned') {
        existing.plan.hypothesisIds = [...new Set([...existing.plan.hypothesisIds, ...plan.hypothesisIds])];
        continue;
      }
      const site = existing ?? newSite(plan);
      this.sites.set(key, site);
      const probe = this.encoder.encode(plan, { service: this.service }, this.options.budget ?? DEFAULT_BUDGET);
      let view: ProbeView;
      try {
        view = await this.options.runtime.propose(probe);
      } catch (e) {
        site.state = 'failed';
        site.statusReason = e instanceof Error ? e.message : String(e);
        this.note(`could not propose a probe at ${key}: ${site.statusReason}`);
        continue;
      }
      site.probeId = view.probe.id;
      site.kind = view.probe.kind;
      this.byProbe.set(view.probe.id, key);
      this.applyView(site, view);
      const captured = captureList(plan).map((c) => c.name);
      const budget = this.options.budget ?? DEFAULT_BUDGET;
      proposals.push({
        view,
        plan,
        summary: `${key} — ${view.probe.kind} capturing ${captured.join(', ')} (each with its runtime type); ≤${probe.maxHits} hits, ≤${probe.maxPerSecond}/s, ${Math.round(budget.ttlSeconds / 60)} min`,
        risk: assessRisk(probe, captured),
      });
      const early = this.unrouted.get(view.probe.id);
      if (early) {
        this.unrouted.delete(view.probe.id);
        this.ingest(early);
      }
    }
    if (proposals.length) {
      this.emit({
        type: 'proposed',
        proposals: proposals.map((p) => ({
          probeId: p.view.probe.id,
          summary: p.summary,
          reason: p.plan.reason,
          state: p.view.state ?? 'live',
          risk: p.risk,
          file: p.plan.file,
          line: p.plan.line,
          kind: p.view.probe.kind,
          captures: captureList(p.plan).map((c) => c.name),
          expression: probeExpression(p.view.probe),
        })),
      });
      await this.options.approver.review(proposals);
    }
    return proposals;
  }

  /** Waits until every proposed probe is decided, or the deadline. Returns the ids still waiting. */
  async awaitDecisions(deadline: number): Promise<string[]> {
    const waiting = () => [...this.sites.values()].filter((s) => s.state === 'proposed').map((s) => s.probeId!);
    await this.until(() => waiting().length === 0, deadline);
    return waiting();
  }

  /**
   * Waits for evidence: until every live probe has `minHits` observations, or the symptom sites have seen
   * enough traffic (3 × minHits) for silence elsewhere to mean "did not run", or the deadline.
   */
  async collect(deadline: number, probeIds?: readonly string[]): Promise<void> {
    const relevant = () => [...this.sites.values()].filter((s) => s.state === 'live' && (!probeIds || probeIds.includes(s.probeId!)));
    // a comparison needs enough observations to tell "always the same" from chance
    const wanted = (s: SiteEvidence) => Math.max(this.minHits, s.plan.comparisons.length ? CONSTANT_BRANCH_MIN : 0);
    const enough = () => {
      const live = relevant();
      if (!live.length) return true;
      if (live.every((s) => s.observations.length >= wanted(s))) return true;
      // the question's own symptom sites (not a hypothesis' use sites, which may rightly never run) set the pace
      const symptoms = [...this.sites.values()].filter((s) => s.plan.role === 'symptom' && s.plan.hypothesisIds.length === 0 && s.state === 'live');
      // once they have plenty, a probe that has not run is excused (that is evidence); one that runs must reach its count
      const settled = (s: SiteEvidence) => s.observations.length >= wanted(s) || (s.observations.length === 0 && (s.bound || s.statusReason !== undefined));
      return symptoms.length > 0 && symptoms.every((s) => s.observations.length >= this.minHits * 3) && live.every(settled);
    };
    await this.until(enough, deadline);
    await this.reconcile();
    await this.baseline.refresh([...this.sites.values()]).catch((e) => this.note(`no pre-deploy baseline: ${e instanceof Error ? e.message : String(e)}`));
    // a branch constant since the deploy that fired before: a few more observations tell a change from chance
    const sites = () => [...this.sites.values()].filter((s) => s.state === 'live');
    const undecided = () => this.baseline.compare(sites()).some((b) => b.needed !== undefined && b.after.observations < b.needed);
    if (undecided()) {
      await this.until(() => !undecided(), Math.min(deadline, this.now() + 30_000));
      await this.reconcile();
    }
  }

  /** Reads stored evidence for our probes, in case any arrived outside the live stream. */
  async reconcile(): Promise<void> {
    for (const site of this.sites.values()) {
      if (!site.probeId || site.state === 'proposed' || site.state === 'rejected' || site.state === 'planned') continue;
      const after = Math.max(0, ...site.observations.map((o) => o.evidenceId ?? 0));
      try {
        this.ingest(await this.options.runtime.evidence(site.probeId, after));
      } catch {
        // the stream is the primary path; a failed catch-up read only means fewer observations
      }
    }
  }

  /** Removes every probe this investigation placed (proposed or live). */
  async removeProbes(): Promise<void> {
    for (const site of this.sites.values()) {
      if (!site.probeId || site.state === 'rejected' || site.state === 'ended' || site.state === 'failed' && !site.bound) continue;
      await this.options.runtime.remove(site.probeId).catch(() => undefined);
      site.state = 'ended';
    }
  }

  /** Attaches audit sequence numbers to each site's approval record, when the token may read them. */
  async attachAudit(): Promise<boolean> {
    const ids = [...this.byProbe.keys()];
    const entries = ids.length ? await (this.options.audit ?? this.options.runtime.audit)(ids) : undefined;
    if (!entries) return false;
    for (const site of this.sites.values()) {
      if (!site.probeId || !site.approval) continue;
      site.approval.auditSeqs = entries.filter((e) => e.target === site.probeId).map((e) => e.seq);
    }
    return true;
  }

  async close(): Promise<void> {
    for (const d of this.disposers.splice(0)) d();
    await this.stopFollow?.();
  }

  siteOf(probeId: string): SiteEvidence | undefined {
    const key = this.byProbe.get(probeId);
    return key ? this.sites.get(key) : undefined;
  }

  private async follow(): Promise<void> {
    this.disposers.push(
      this.options.runtime.onProbeState((view) => {
        const site = this.siteOf(view.probe.id);
        if (site) this.applyView(site, view);
      }),
      this.options.runtime.onStatus((probeId, statuses) => {
        const site = this.siteOf(probeId);
        if (site) this.applyStatuses(site, statuses);
      }),
    );
    this.stopFollow = await this.options.runtime.follow(this.service, (items) => this.ingest(items));
  }

  private ingest(items: readonly Evidence[]): void {
    const touched = new Set<SiteEvidence>();
    const batches = new Map<SiteEvidence, Evidence[]>();
    for (const e of items) {
      if (e.kind === 'gap' || !('probeId' in e) || !e.probeId) continue;
      // an instance still running another commit measures other code: the baseline reads it, not the incident
      if (this.baseline.isOtherCommit(e.instance)) continue;
      const site = this.siteOf(e.probeId);
      if (!site) {
        // evidence can race ahead of the probe.add reply for auto-approved probes
        const list = this.unrouted.get(e.probeId) ?? [];
        if (list.length < 1000) list.push(e);
        this.unrouted.set(e.probeId, list);
        continue;
      }
      batches.set(site, [...(batches.get(site) ?? []), e]);
    }
    for (const [site, evidence] of batches) {
      const observations = evidence.map((e) => this.encoder.decode(site.plan, e)).filter((o) => o !== undefined);
      if (!observations.length) continue;
      addObservations(site, observations);
      touched.add(site);
    }
    for (const site of touched) this.emit({ type: 'evidence', probeId: site.probeId!, file: site.plan.file, line: site.plan.line, observations: site.observations.length, latest: site.observations[site.observations.length - 1]!, anomalies: site.anomalies });
  }

  private applyView(site: SiteEvidence, view: ProbeView): void {
    const before = site.state;
    const state = view.state ?? 'live';
    site.state = state === 'proposed' ? 'proposed' : state === 'rejected' ? 'rejected' : state === 'live' ? 'live' : 'ended';
    if (view.approval) site.approval = { ...view.approval, ...(site.approval?.auditSeqs ? { auditSeqs: site.approval.auditSeqs } : {}) };
    if (view.statuses.length) this.applyStatuses(site, view.statuses);
    if (before !== site.state && before !== 'planned') {
      this.emit({ type: 'decided', probeId: view.probe.id, state: site.state, ...(view.approval?.decidedBy ? { decidedBy: view.approval.decidedBy } : {}), ...(view.approval?.reason ? { reason: view.approval.reason } : {}) });
    }
  }

  private applyStatuses(site: SiteEvidence, statuses: readonly ProbeStatus[]): void {
    site.bound = site.bound || statuses.some((s) => s.state === 'bound' || (s.hits ?? 0) > 0);
    site.hits = Math.max(site.hits, statuses.reduce((n, s) => n + (s.hits ?? 0), 0));
    const errors = statuses.filter((s) => s.state === 'error');
    if (errors.length && errors.length === statuses.length && site.state === 'live') {
      site.state = 'failed';
      site.statusReason = errors[0]!.reason ?? 'the agent could not place it';
      this.note(`probe ${site.probeId} at ${siteKey(site.plan)} failed: ${site.statusReason}`);
    } else if (statuses.some((s) => s.state === 'pending' && s.reason)) {
      site.statusReason = statuses.find((s) => s.state === 'pending')!.reason;
    }
  }

  get aborted(): boolean {
    return this.options.signal?.aborted ?? false;
  }

  private async until(condition: () => boolean, deadline: number): Promise<void> {
    while (!condition() && this.now() < deadline && !this.aborted) await new Promise((r) => setTimeout(r, 100));
  }
}

/** What a probe evaluates on each hit, as sent to the relay (the logpoint's template, the snapshot's watches). */
function probeExpression(probe: ProbeView['probe']): string {
  if (probe.kind === 'log') return probe.template;
  if (probe.kind === 'snapshot') return (probe.watches ?? []).join(', ');
  return probe.expression ?? probe.metric;
}
