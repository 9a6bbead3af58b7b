import { errorMessage, type Log } from '../diagnosticLog';
import { ambiguousReason, pastEnd } from '../engine/breakpointEngine';
import { buildLogpointCondition } from '../engine/logpointCondition';
import type { LoadedScript, ScriptRegistry } from '../engine/scriptRegistry';
import type { BoundLocation, EngineStatus, ProbeEngine, StatusCallback } from '../engine/types';
import { exactUrlRegex, suffixUrlRegex } from '../engine/urlSuffix';
import type { InspectorClient } from '../inspectorClient';
import type { PreparedProbe } from '../probe/prepare';
import { SerialQueue } from '../serialQueue';
import { EditCostModel, type EditSize } from './editCost';
import { editScript, type EditOutcome } from './liveEdit';
import { patchedSource, probeStatement } from './probeStatement';
import { findInjectionSite, parseScript, type InjectionSite } from './site';

export interface RetryPolicy {
  /** After BlockedByActiveFunction (a changed function is running right now): quick retries, in ms. */
  activeFunctionMs: number[];
  /** While a probe waits on the breakpoint tier for suspended calls to finish: first retry, doubling up to max. */
  upgradeFirstMs: number;
  upgradeMaxMs: number;
}

/**
 * A blocked edit costs a compile of the script on the main thread (~15-80 ms), and V8 finds a function running
 * about as often as the main thread is busy in it: a few spaced retries, then the breakpoint tier meanwhile.
 */
const DEFAULT_RETRY: RetryPolicy = { activeFunctionMs: [5, 20, 50, 100, 200, 400, 800], upgradeFirstMs: 1000, upgradeMaxMs: 30_000 };

export interface InjectEngineDeps {
  client: InspectorClient;
  scripts: ScriptRegistry;
  onStatus: StatusCallback;
  log: Log;
  /** Makes the breakpoint tier this engine falls back to, reporting through `onStatus`, evaluating `conditionFor`. */
  fallback(onStatus: StatusCallback, conditionFor: (probe: PreparedProbe) => string): ProbeEngine;
  retry?: Partial<RetryPolicy>;
  /**
   * Longest an edit may pause the program (ms), as estimated from the script's length and the program's heap (see
   * editCost). A probe whose edit would take longer runs on the breakpoint tier. Default: no limit.
   */
  maxEditPauseMs?: number;
  /** The program's heap as an edit walks it (see HeapSize in channel.ts); without it, V8's whole used heap. */
  heapBytes?: () => Promise<number | undefined>;
  /** Turns V8's Debugger domain on: it may be off while every probe is in the code, and taking them out needs it. */
  domainOn?: () => Promise<void>;
}

/**
 * pending: its file is not loaded yet · wanted: about to be injected · injected: in the running code ·
 * fallback: on the breakpoint tier (for good, or until V8 lets us inject it: `upgrade`).
 */
type PlacementState = 'pending' | 'wanted' | 'injected' | 'fallback';

interface Placement {
  probe: PreparedProbe;
  pattern: RegExp;
  state: PlacementState;
  script?: ScriptEdits;
  site?: InjectionSite;
  statement?: string;
  /** Why the breakpoint tier runs it (set while it is there). */
  fallbackReason?: string;
  upgrade: boolean;
}

/** One script we edit: its original text, what V8 runs now, and the probes that want to be in it. */
interface ScriptEdits {
  script: LoadedScript;
  original: string;
  applied: string;
  probes: Placement[];
  retryTimer?: NodeJS.Timeout;
  quickRetries: number;
  slowDelay: number;
}

/**
 * The injection tier: a probe becomes a guarded one-line statement inserted into its script with V8 LiveEdit
 * (~40 ns per hit instead of ~50 µs for a breakpoint). Every edit regenerates the script from its original text
 * plus the probes active in it, so taking the last probe out restores the exact original. Line count and the
 * sourceMappingURL comment are untouched. Where a probe cannot be injected (no statement starts on its line, or
 * V8 blocks the edit because a changed async function has calls suspended in it) it runs on the breakpoint tier,
 * with a status that says why, and blocked ones move over when a retry succeeds. Snapshots are injected too (a
 * capture of the variables in scope, serialised by the hook: ~0.25 ms instead of a 2-7 ms pause); one that asks
 * for its callers' locals, or whose watches the guarded compiler refuses, takes the pausing tier. A script
 * evaluated again under the same URL gets its probes injected into the new copy.
 */
export class InjectEngine implements ProbeEngine {
  private readonly placements = new Map<string, Placement>();
  private readonly edits = new Map<string, ScriptEdits>();
  private readonly queue = new SerialQueue();
  private readonly fallback: ProbeEngine;
  private readonly retry: RetryPolicy;
  private readonly stopWatchingScripts: () => void;
  private readonly editCost = new EditCostModel();
  private disposed = false;

  constructor(private readonly deps: InjectEngineDeps) {
    this.retry = { ...DEFAULT_RETRY, ...deps.retry };
    this.fallback = deps.fallback(
      (s) => this.onFallbackStatus(s),
      (probe) => buildLogpointCondition(probe, this.placements.get(probe.spec.id)?.site?.isDeclared),
    );
    this.stopWatchingScripts = deps.scripts.onScript((script) => this.inQueue(`checking injected probes against ${script.url}`, () => this.onScriptLoaded(script)));
  }

  /** Edits queued, running or scheduled to be retried: the Debugger domain must stay on for them. */
  get busy(): boolean {
    if (this.queue.busy) return true;
    for (const edits of this.edits.values()) if (edits.retryTimer) return true;
    return false;
  }

  add(probe: PreparedProbe): Promise<void> {
    return this.queue.run(async () => {
      await this.unplace(probe.spec.id);
      const { target } = probe;
      const pattern = new RegExp(target ? exactUrlRegex(target.url) : suffixUrlRegex(probe.spec.file));
      const placement: Placement = { probe, pattern, state: 'pending', upgrade: false };
      this.placements.set(probe.spec.id, placement);
      await this.place(placement);
    });
  }

  remove(probeId: string): Promise<void> {
    return this.queue.run(() => this.unplace(probeId));
  }

  dispose(): Promise<void> {
    this.stopWatchingScripts();
    return this.queue.run(async () => {
      this.disposed = true;
      if ([...this.edits.values()].some((edits) => edits.applied !== edits.original)) {
        await this.deps.domainOn?.().catch((e) => this.deps.log(`could not turn the Debugger domain on to take probes out: ${errorMessage(e)}`));
      }
      for (const edits of this.edits.values()) {
        clearTimeout(edits.retryTimer);
        edits.probes = [];
        if (edits.applied === edits.original || (await this.leaveInert(edits, []))) continue;
        let outcome = await this.edit(edits, edits.original);
        // a function that is running right now returns in a moment: a few tries before giving up
        for (const ms of [10, 50, 200]) {
          if (outcome.kind !== 'blocked' || outcome.why !== 'active-function') break;
          await new Promise((resolve) => setTimeout(resolve, ms));
          outcome = await this.edit(edits, edits.original);
        }
        if (outcome.kind !== 'ok') this.deps.log(`could not restore ${edits.script.url} on stop (${describe(outcome)}); its probe code stays, inert`);
      }
      this.edits.clear();
      this.placements.clear();
      await this.fallback.dispose();
    });
  }

  private async place(p: Placement): Promise<void> {
    const { id } = p.probe.spec;
    const file = p.probe.target?.url ?? p.probe.spec.file;
    const line = p.probe.target?.line ?? p.probe.spec.line;
    const loaded = this.deps.scripts.matching(p.pattern);
    if (loaded.length > 1) return this.fail(p, ambiguousReason(file, loaded.map((s) => s.url)), 'ambiguous');
    const script = loaded[0];
    if (!script) {
      p.state = 'pending';
      return this.deps.onStatus({ probeId: id, state: 'pending', reason: `no loaded script matches "${file}" yet; the probe binds when it loads`, code: 'not_loaded' });
    }
    const beyond = pastEnd(line, script);
    if (beyond) return this.fail(p, beyond, 'line_out_of_range');
    const tooSlow = await this.editTooSlow(script);
    if (tooSlow) return this.toFallback(p, `inserting it ${tooSlow}`, false);

    let edits: ScriptEdits;
    try {
      edits = await this.editsOf(script);
    } catch (e) {
      return this.toFallback(p, `the script's source could not be read (${errorMessage(e)})`, false);
    }
    p.script = edits;
    let found: ReturnType<typeof findInjectionSite>;
    try {
      // parsed per placement, not kept: the syntax tree of a large bundle is many times its size
      found = findInjectionSite(parseScript(edits.original, /\.mjs$/i.test(script.url)), line, p.probe.target?.column);
    } catch (e) {
      this.forgetIfUnused(edits);
      return this.toFallback(p, `the script could not be parsed for injection (${errorMessage(e)})`, false);
    }
    if ('problem' in found) {
      this.forgetIfUnused(edits);
      return this.toFallback(p, found.problem, false);
    }
    const paused = pausedSnapshotReason(p.probe);
    if (paused) {
      this.forgetIfUnused(edits);
      return this.toFallback(p, paused, false);
    }
    const unreadOuter: string[] = [];
    try {
      p.site = found.site;
      const { site } = found;
      // every name the probe's expressions read goes through isDeclared: note the ones the function cannot see
      const noting = { ...site, isDeclared: (name: string) => (site.isUnreadOuter(name) && !unreadOuter.includes(name) && unreadOuter.push(name), site.isDeclared(name)) };
      p.statement = probeStatement(p.probe, noting);
    } catch (e) {
      // a watch the guarded compiler cannot take may still be evaluated paused, under V8's side-effect check
      if (p.probe.spec.kind === 'snapshot') return this.toFallback(p, `a watch cannot be injected (${errorMessage(e)})`, false);
      return this.fail(p, errorMessage(e), 'invalid_expression');
    }
    const unreadable = unreadOuter.length ? found.site.heldByNoClosure(unreadOuter) : [];
    if (unreadable.length) {
      this.forgetIfUnused(edits);
      const names = unreadable.map((n) => `"${n}"`).join(', ');
      return this.fail(p, `${names} cannot be read at line ${found.site.line}: it is a variable of an enclosing function that no inner function uses, so V8 keeps it only while that function runs (no probe can see it here; read it where it is declared)`, 'invalid_expression');
    }
    if (unreadOuter.length) {
      this.forgetIfUnused(edits);
      const names = unreadOuter.map((n) => `"${n}"`).join(', ');
      return this.toFallback(p, `it reads ${names} from an enclosing function, which the code at line ${found.site.line} does not read itself (an edit cannot give running closures that variable)`, false);
    }
    p.state = 'wanted';
    edits.probes.push(p);
    await this.sync(edits);
  }

  private async unplace(probeId: string): Promise<void> {
    const p = this.placements.get(probeId);
    if (!p) return;
    this.placements.delete(probeId);
    if (p.fallbackReason !== undefined) await this.fallback.remove(probeId);
    const edits = p.script;
    if (!edits || !edits.probes.includes(p)) return;
    edits.probes = edits.probes.filter((q) => q !== p);
    await this.sync(edits);
  }

  /** Makes the script V8 runs match the probes that want to be in it; falls back or retries where V8 says no. */
  private async sync(edits: ScriptEdits): Promise<void> {
    clearTimeout(edits.retryTimer);
    edits.retryTimer = undefined;
    const inCode = edits.probes.filter((p) => p.state === 'wanted' || p.state === 'injected');
    const outcome = await this.apply(edits, inCode);
    if (outcome.kind !== 'ok') return this.onBlockedOrRefused(edits, outcome);
    edits.quickRetries = 0;
    edits.slowDelay = this.retry.upgradeFirstMs;
    for (const p of inCode) if (p.state === 'wanted') await this.markInjected(p);
    this.forgetIfUnused(edits);
  }

  /**
   * Why an edit of this script would pause the program too long ("would pause the program ~N ms: …"), or undefined.
   * Checked before a script's source is even fetched: sending a large script over the inspector and parsing it cost
   * tens of ms of their own.
   */
  private async editTooSlow(script: LoadedScript): Promise<string | undefined> {
    const limit = this.deps.maxEditPauseMs;
    if (limit === undefined || script.chars === undefined) return undefined;
    const size = { chars: script.chars, heapBytes: await this.heapBytes() };
    const ms = this.editCost.predictMs(size);
    if (ms <= limit) return undefined;
    return `would pause the program ~${Math.round(ms)} ms: V8 recompiles this ${amount(size.chars, '-character')} script and walks the program's ${amount(size.heapBytes, '-byte')} heap (the limit is ${limit} ms: maxEditPauseMs, RUNTRUTH_MAX_EDIT_PAUSE_MS)`;
  }

  /**
   * Whether to leave probe code that is no longer wanted in the script instead of editing it out: when the heap grew
   * since the probe went in, restoring the source can pause the program far longer than inserting it did. The code
   * left is inert (its probe is disarmed: the gate reads one table entry and stays closed).
   */
  private async leaveInert(edits: ScriptEdits, inCode: Placement[]): Promise<boolean> {
    if (inCode.some((p) => p.state === 'wanted')) return false; // an addition: it was checked when placed
    const tooSlow = await this.editTooSlow(edits.script);
    if (tooSlow) this.deps.log(`left inert probe code in ${edits.script.url}: taking it out ${tooSlow}`);
    return tooSlow !== undefined;
  }

  /** The program's heap now, as an edit walks it; else V8's used heap; else 0 (the script's part still applies). */
  private async heapBytes(): Promise<number> {
    const walked = await this.deps.heapBytes?.();
    if (walked !== undefined) return walked;
    try {
      return (await this.deps.client.post('Runtime.getHeapUsage')).usedSize;
    } catch {
      return 0;
    }
  }

  /** A script back to its original text with no probes wanting in: keep nothing of it. */
  private forgetIfUnused(edits: ScriptEdits): void {
    if (!edits.probes.length && edits.applied === edits.original) this.edits.delete(edits.script.scriptId);
  }

  private async apply(edits: ScriptEdits, inCode: Placement[]): Promise<EditOutcome> {
    const desired = patchedSource(edits.original, inCode.map((p) => ({ offset: p.site!.offset, text: p.statement! })));
    if (desired === edits.applied || (await this.leaveInert(edits, inCode))) return { kind: 'ok', ms: 0 };
    const outcome = await this.edit(edits, desired);
    this.deps.log(`live edit of ${edits.script.url} (${inCode.length} probe(s)): ${describe(outcome)}`);
    if (outcome.kind !== 'ok') return outcome;
    edits.applied = desired;
    // probes moving over from the breakpoint tier leave it before it re-places what the edit dropped
    for (const p of inCode) {
      if (p.state === 'wanted' && p.fallbackReason !== undefined) {
        p.fallbackReason = undefined;
        await this.fallback.remove(p.probe.spec.id);
      }
    }
    this.deps.scripts.edited(edits.script.scriptId);
    return outcome;
  }

  /** One live edit, timed into the cost model (a blocked edit did the work too). */
  private async edit(edits: ScriptEdits, source: string): Promise<EditOutcome> {
    const size: EditSize = { chars: source.length, heapBytes: await this.heapBytes() };
    const outcome = await editScript(this.deps.client, edits.script.scriptId, source);
    if (outcome.kind !== 'refused') this.editCost.observe(size, outcome.ms);
    return outcome;
  }

  private async onBlockedOrRefused(edits: ScriptEdits, outcome: Exclude<EditOutcome, { kind: 'ok' }>): Promise<void> {
    if (outcome.kind === 'blocked' && outcome.why === 'active-function' && edits.quickRetries < this.retry.activeFunctionMs.length) {
      // it returns in a moment; jitter, so retries do not keep landing in the same busy stretch
      const delay = this.retry.activeFunctionMs[edits.quickRetries++]!;
      return this.schedule(edits, delay * (1 + Math.random()));
    }
    edits.quickRetries = 0;
    const retryable = outcome.kind === 'blocked';
    const wanted = edits.probes.filter((q) => q.state === 'wanted');
    if (outcome.kind === 'refused' && wanted.length > 1) return this.oneByOne(edits, wanted);
    for (const p of wanted) await this.toFallback(p, reasonOf(outcome), retryable);
    // what is left (removals, probes already in) may go through without the refused additions
    const stillBlocked = wanted.length ? (await this.apply(edits, edits.probes.filter((p) => p.state === 'injected'))).kind !== 'ok' : retryable;
    if (stillBlocked || edits.probes.some((p) => p.upgrade)) {
      this.schedule(edits, edits.slowDelay);
      edits.slowDelay = Math.min(edits.slowDelay * 2, this.retry.upgradeMaxMs);
    }
  }

  /** V8 refused an edit adding several probes: add them one at a time, so one it cannot take does not keep out the rest. */
  private async oneByOne(edits: ScriptEdits, wanted: Placement[]): Promise<void> {
    for (const p of wanted) p.state = 'fallback';
    for (const p of wanted) {
      p.state = 'wanted';
      const outcome = await this.apply(edits, edits.probes.filter((q) => q.state === 'injected' || q === p));
      if (outcome.kind === 'ok') await this.markInjected(p);
      else await this.toFallback(p, reasonOf(outcome), outcome.kind === 'blocked');
    }
    if (edits.probes.some((q) => q.upgrade)) this.schedule(edits, edits.slowDelay);
  }

  private schedule(edits: ScriptEdits, ms: number): void {
    if (this.disposed) return;
    clearTimeout(edits.retryTimer);
    edits.retryTimer = setTimeout(() => {
      this.inQueue(`retrying the live edit of ${edits.script.url}`, async () => {
        if (this.edits.get(edits.script.scriptId) !== edits) return;
        for (const p of edits.probes) if (p.state === 'fallback' && p.upgrade) p.state = 'wanted';
        await this.sync(edits);
      });
    }, ms);
    edits.retryTimer.unref();
  }

  private async markInjected(p: Placement): Promise<void> {
    p.state = 'injected';
    p.upgrade = false;
    const { site, script, probe } = p;
    const location: BoundLocation = { url: script!.script.url, line: site!.line, column: site!.column, ...(probe.target ? { original: probe.target.original } : {}) };
    this.deps.onStatus({ probeId: probe.spec.id, state: 'bound', location, tier: 'inject' });
  }

  private async toFallback(p: Placement, reason: string, upgrade: boolean): Promise<void> {
    const wasThere = p.fallbackReason !== undefined;
    p.state = 'fallback';
    p.upgrade = upgrade;
    p.fallbackReason = reason;
    if (!wasThere) await this.fallback.add(p.probe);
  }

  private fail(p: Placement, reason: string, code: 'ambiguous' | 'line_out_of_range' | 'invalid_expression'): void {
    this.placements.delete(p.probe.spec.id);
    this.deps.onStatus({ probeId: p.probe.spec.id, state: 'error', reason, code });
  }

  /** The fallback tier's statuses, with why the probe runs there. */
  private onFallbackStatus(s: EngineStatus): void {
    const p = this.placements.get(s.probeId);
    if (!p || p.fallbackReason === undefined) return; // left the tier meanwhile
    if (s.state !== 'bound') return this.deps.onStatus(s);
    const next = p.upgrade ? '; injection is retried' : '';
    const how = p.probe.spec.kind === 'snapshot' ? 'a pausing snapshot (the program stops while it is read, ~1-4 ms)' : 'a breakpoint (~50 µs per hit)';
    this.deps.onStatus({ ...s, reason: `runs as ${how}: ${p.fallbackReason}${next}` });
  }

  private async onScriptLoaded(script: LoadedScript): Promise<void> {
    for (const p of [...this.placements.values()]) {
      if (!p.pattern.test(script.url)) continue;
      if (p.state === 'pending') await this.place(p);
      else if (p.script && p.script.script.url === script.url && p.script.script.scriptId !== script.scriptId) await this.replace(p);
      else if (p.script && p.script.script.url !== script.url) {
        // a second file with the same suffix: the probe no longer says where
        const file = p.probe.target?.url ?? p.probe.spec.file;
        await this.unplace(p.probe.spec.id);
        this.deps.onStatus({ probeId: p.probe.spec.id, state: 'error', reason: ambiguousReason(file, [p.script.script.url, script.url]), code: 'ambiguous' });
      }
    }
  }

  /**
   * The probe's file was evaluated again under the same URL (a module re-required after its cache entry was
   * deleted, a hot reload): the new script runs the original code, so the probe goes into it too. The old copy is
   * restored (code still holding its functions runs unprobed, as before the probe).
   */
  private async replace(p: Placement): Promise<void> {
    const old = p.script!;
    old.probes = old.probes.filter((q) => q !== p);
    await this.sync(old);
    p.script = undefined;
    p.site = undefined;
    p.statement = undefined;
    if (p.state !== 'fallback') p.state = 'pending';
    await this.place(p);
  }

  private async editsOf(script: LoadedScript): Promise<ScriptEdits> {
    const known = this.edits.get(script.scriptId);
    if (known) return known;
    const { scriptSource } = await this.deps.client.post('Debugger.getScriptSource', { scriptId: script.scriptId });
    const edits: ScriptEdits = { script, original: scriptSource, applied: scriptSource, probes: [], quickRetries: 0, slowDelay: this.retry.upgradeFirstMs };
    this.edits.set(script.scriptId, edits);
    return edits;
  }

  private inQueue(what: string, task: () => Promise<void>): void {
    void this.queue.run(task).catch((e) => this.deps.log(`${what} failed: ${errorMessage(e)}`));
  }
}

/**
 * Why a snapshot should take the paused tier even where it could be injected: an injected capture sees the
 * variables in scope at its line (the top frame), so a probe that asks for its callers' locals is read paused.
 */
function pausedSnapshotReason(probe: PreparedProbe): string | undefined {
  if (probe.spec.kind !== 'snapshot') return undefined;
  const frames = probe.spec.limits?.expandFrames;
  if (frames !== undefined && frames > 1) return `it asks for the locals of ${frames} frames, which only a paused capture reads`;
  return undefined;
}

function reasonOf(outcome: Exclude<EditOutcome, { kind: 'ok' }>): string {
  if (outcome.kind === 'refused') return `V8 refused the live edit: ${outcome.reason}`;
  return outcome.why === 'suspended-generator'
    ? 'V8 refused the live edit because the function has calls suspended in it (an async function awaiting, or a generator)'
    : 'V8 refused the live edit because the function kept running';
}

/** 3.7 MB, 230 KB, or "860-character" (with the unit suffix given) below 10 KB. */
function amount(n: number, unit: string): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e4 ? `${Math.round(n / 1e3)} KB` : `${n}${unit}`;
}

function describe(outcome: EditOutcome): string {
  const ms = `${outcome.ms.toFixed(1)} ms`;
  return outcome.kind === 'ok' ? `applied in ${ms}` : outcome.kind === 'blocked' ? `blocked (${outcome.why}) after ${ms}` : `refused after ${ms}: ${outcome.reason}`;
}

