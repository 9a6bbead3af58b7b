import type { MessagePort } from 'node:worker_threads';
import type { AgentEvidence } from '../backend/protocol/evidence';
import { PROTOCOL_VERSION } from '../backend/protocol/messages';
import type { AgentPolicyMsg, InstanceInfo } from '../backend/protocol/messages';
import { HitRingReader } from './hook/hitRing';
import type { HookBatch, HookToWorker, InlineSnapshot, MetricBatch, WorkerToHook, WorkerToHost } from './channel';
import type { AgentConfig } from './config';
import { errorMessage, type Log } from './diagnosticLog';
import { BreakpointEngine } from './engine/breakpointEngine';
import { buildEngineStack } from './engine/engineStack';
import { KindRouter } from './engine/kindRouter';
import { ScriptRegistry } from './engine/scriptRegistry';
import { DebuggerSwitch } from './debuggerSwitch';
import { HeapSizeRequests } from './heapSizeRequests';
import { HookArming } from './hookArming';
import { InjectEngine } from './inject/injectEngine';
import { EVIDENCE_LIMITS, EvidenceQueue } from './evidenceQueue';
import type { InspectorClient } from './inspectorClient';
import { ProbeManager } from './probeManager';
import { Blocklist } from './redact/blocklist';
import { Redactor } from './redact/rules';
import { RelayLink } from './relayLink';
import { SerialQueue } from './serialQueue';
import { inlineSnapshotEvidence, unreportedFiles } from './snapshot/inlineEvidence';
import type { SourceMapRegistry } from './sourcemap/sourceMaps';
import { WorkerCostMeter } from './workerCost';

/** Evidence waits while this many bytes are already queued in the socket (a slow relay). */
const MAX_SOCKET_BACKLOG_BYTES = 4 * 1024 * 1024;
/** How often changed hit counts are reported in statuses. */
const HIT_COUNT_INTERVAL_MS = 5000;
/** How often the worker drains the hit ring while hits come (what the main thread wrote waits there, in shared memory). */
const HIT_DRAIN_INTERVAL_MS = 20;
/**
 * The longest wait between drains once the ring stays empty (the wait doubles from HIT_DRAIN_INTERVAL_MS). Each
 * wake-up costs the worker CPU — ~70 µs on a virtual machine, so a 20 ms timer alone took 3.5–5 ms/s while a
 * logpoint was live and never hit — and 80 ms of hits at the default 5,000/s fill a fifth of the ring.
 */
const IDLE_DRAIN_MAX_MS = 80;

export interface AgentRuntimeDeps {
  config: AgentConfig;
  instance: InstanceInfo;
  client: InspectorClient;
  /** Worker end of the hit channel: probe table out; budget events, snapshots and metric windows in. */
  hitPort: MessagePort;
  /** Rendered hits from the main thread (hook/hitRing). */
  hitRing: SharedArrayBuffer;
  log: Log;
  /** Lifecycle news for the main thread. */
  tell(msg: WorkerToHost): void;
  /** Asked to stop itself (the relay refused us). */
  onRefused(): void;
}

/**
 * The running agent inside the worker: relay link in, probe manager and engine in the middle, evidence out.
 * Wires the parts together; each part owns its own job.
 */
export class AgentRuntime {
  private readonly link: RelayLink;
  private readonly manager: ProbeManager;
  private readonly queue = new EvidenceQueue();
  private readonly ops = new SerialQueue(); // relay messages apply in arrival order, each to completion
  private flushTimer?: NodeJS.Timeout;
  private hitCounts?: NodeJS.Timeout;
  private metricFlush?: NodeJS.Timeout;
  private hitDrain?: NodeJS.Timeout;
  private drainDelay = HIT_DRAIN_INTERVAL_MS;
  /** Injected snapshots waiting for source maps read from disk, in order (see acceptInlineSnapshot). */
  private snapshotChain: Promise<unknown> = Promise.resolve();
  private snapshotsWaiting = 0;
  /** The worker's time on each probe's hits, reported to the hook's CPU budget. */
  private readonly workerCost: WorkerCostMeter;
  private readonly hits: HitRingReader;
  private stopped = false;
  private redactor: Redactor;
  private readonly arming: HookArming;
  private readonly heapSize: HeapSizeRequests;
  private readonly debuggerDomain: DebuggerSwitch;
  /** The injection tier (made inside the engine stack): its pending edits need the Debugger domain. */
  private injectEngine?: InjectEngine;
  private readonly toHook: (msg: WorkerToHook) => void;
  /** The agent's own blocklist plus the relay's (replaced whenever the relay pushes its policy). */
  private readonly blocklist: Blocklist;
  private readonly scripts: ScriptRegistry;
  private readonly maps: SourceMapRegistry;

  constructor(private readonly deps: AgentRuntimeDeps) {
    const { config, client, log, tell } = deps;
    const toHook = (msg: WorkerToHook) => deps.hitPort.postMessage(msg);
    this.link = new RelayLink({
      url: config.relayUrl,
      hello: { type: 'agent.hello', protocol: PROTOCOL_VERSION, agentKey: config.agentKey, instance: deps.instance },
      log,
      onWelcome: () => {
        tell({ type: 'welcomed' });
        this.flushEvidence();
      },
      onMessage: (msg) =>
        void this.ops
          .run(async () => {
            if (msg.type === 'agent.policy') return this.applyRelayPolicy(msg);
            return msg.type === 'probe.sync' ? this.manager.sync(msg.probes) : msg.type === 'probe.add' ? this.manager.add(msg.probe) : this.manager.remove(msg.probeId);
          })
          .catch((e) => log(`applying ${msg.type} failed: ${errorMessage(e)}`)),
      onRefused: (message) => {
        tell({ type: 'refused', message });
        deps.onRefused();
      },
      onFirstFailure: (message) => tell({ type: 'unreachable', message }),
    });
    this.arming = new HookArming(toHook);
    this.workerCost = new WorkerCostMeter((costs) => toHook({ type: 'workerCost', costs }), () => client.messages);
    this.heapSize = new HeapSizeRequests(() => toHook({ type: 'heapSize' }));
    this.hits = new HitRingReader(deps.hitRing);
    this.blocklist = new Blocklist(config.blocklist);
    const scripts = (this.scripts = new ScriptRegistry(client)); // before Debugger.enable, which replays every loaded script
    this.redactor = new Redactor(config.redaction);
    toHook({ type: 'redaction', config: config.redaction });
    this.toHook = toHook;
    const { engine, maps } = buildEngineStack({
      client,
      scripts,
      log,
      onStatus: (s) => this.manager.onEngineStatus(s),
      // logpoints and metrics are injected into the code (breakpoints only where V8 refuses the edit): see agent/inject
      logTier: (onStatus, pausedSnapshots) =>
        (this.injectEngine = new InjectEngine({
          client,
          scripts,
          onStatus,
          log,
          maxEditPauseMs: config.maxEditPauseMs,
          heapBytes: () => this.heapSize.ask(),
          domainOn: () => this.debuggerDomain.ensureOn(),
          fallback: (fallbackStatus, conditionFor) => {
            const breakpoints = new BreakpointEngine(client, scripts, fallbackStatus, log, conditionFor);
            return new KindRouter({ log: breakpoints, metric: breakpoints, snapshot: pausedSnapshots(fallbackStatus) });
          },
        })),
      blocklist: this.blocklist,
      redactor: () => this.redactor,
      onSnapshot: (item) => this.enqueue(this.manager.acceptSnapshot(item)),
      ...(deps.instance.commit ? { commit: deps.instance.commit } : {}),
    });
    this.maps = maps;
    this.debuggerDomain = new DebuggerSwitch({ client, log, needed: () => this.manager.needsDebugger || client.breakpoints > 0 || client.inFlight > 0 || !!this.injectEngine?.busy });
    this.manager = new ProbeManager({
      engine,
      instanceId: config.instanceId,
      arm: (probe) => {
        this.startHitDrain();
        return this.arming.arm(probe);
      },
      disarm: (probeId) => toHook({ type: 'disarm', probeId }),
      placed: (probeId, tier) => toHook({ type: 'placed', probeId, tier }),
      sendStatuses: (statuses) => void this.link.send({ type: 'probe.status', statuses }),
      log,
      redactor: () => this.redactor,
      debuggerDomain: this.debuggerDomain,
    });
    deps.hitPort.on('message', (msg: HookToWorker) => {
      if (msg.type === 'metrics') this.onMetrics(msg);
      else if (msg.type === 'armed') this.arming.onArmed(msg.probeId);
      else if (msg.type === 'heapSize') this.heapSize.answer(msg.bytes);
      else this.onHookBatch(msg);
    });
  }

  async start(): Promise<void> {
    // V8's Debugger domain stays off until a probe arrives (see DebuggerSwitch): an idle agent costs the program
    // nothing per await or per compiled script. Async stack traces stay off whenever it is on
    // (Debugger.setAsyncCallStackDepth costs ~90% of a busy service's throughput).
    if (this.stopped) return;
    this.hitCounts = setInterval(() => this.manager.reportHitCounts(), HIT_COUNT_INTERVAL_MS);
    this.metricFlush = setInterval(() => {
      if (this.manager.hasMetrics) this.deps.hitPort.postMessage({ type: 'flushMetrics' } satisfies WorkerToHook);
    }, this.deps.config.metricIntervalMs);
    this.link.start();
  }

  /** Takes every probe out of the program, flushes what evidence it can, and closes the relay connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.debuggerDomain.stop();
    clearInterval(this.hitCounts);
    clearInterval(this.metricFlush);
    clearTimeout(this.hitDrain);
    this.drainHits(); // what the main thread wrote before the stop still goes out
    this.arming.releaseAll();
    await this.ops.run(() => this.manager.dispose()).catch((e) => this.deps.log(`removing probes failed: ${errorMessage(e)}`));
    this.flushEvidence();
    clearTimeout(this.flushTimer);
    await this.link.stop();
    this.workerCost.dispose();
  }

  /**
   * The relay's redaction names and blocklist, on top of this agent's own (configured ones are never loosened):
   * applied to what the hook renders from now on and to every placement from now on; probes already placed on a
   * path the new blocklist covers are taken out.
   */
  private applyRelayPolicy(msg: AgentPolicyMsg): void {
    const own = this.deps.config;
    const names = [...new Set([...(own.redaction.names ?? []), ...msg.redaction.names])];
    const redaction = { ...own.redaction, ...(names.length ? { names } : {}) };
    this.redactor = new Redactor(redaction);
    this.toHook({ type: 'redaction', config: redaction });
    this.blocklist.replace([...own.blocklist, ...msg.blocklist]);
    this.manager.recheckBlocklist(this.blocklist);
    this.deps.log(`relay policy applied: ${msg.redaction.names.length} redaction rule(s), ${msg.blocklist.length} blocked glob(s)`);
  }

  /** Drains the hit ring while logpoints are live, every HIT_DRAIN_INTERVAL_MS while hits come: an idle agent does not wake for it. */
  private startHitDrain(): void {
    if (this.stopped || this.hitDrain) return;
    this.drainDelay = HIT_DRAIN_INTERVAL_MS;
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    this.hitDrain = setTimeout(() => {
      this.hitDrain = undefined;
      this.drainHits();
    }, this.drainDelay);
  }

  private drainHits(): void {
    let read = 0;
    if (this.hits.pending()) this.workerCost.beforeDrain();
    const started = performance.now();
    const perProbe = new Map<string, number>();
    const dropped = this.hits.drainEach((probeId, at, message) => {
      read++;
      perProbe.set(probeId, (perProbe.get(probeId) ?? 0) + 1);
      const item = this.manager.acceptHit(probeId, at, message);
      if (item !== undefined) this.queue.push(item);
    });
    this.workerCost.drained(perProbe, performance.now() - started);
    const idle = !read && !dropped;
    this.drainDelay = idle ? Math.min(this.drainDelay * 2, IDLE_DRAIN_MAX_MS) : HIT_DRAIN_INTERVAL_MS;
    if (idle && !this.manager.hasLogpoints) this.workerCost.flush(); // no period stays open across the time no drain runs
    else if (!this.stopped && !this.hitDrain) this.scheduleDrain();
    if (idle) return;
    this.queue.addDropped(dropped);
    this.afterEnqueue();
  }

  private onHookBatch(batch: HookBatch): void {
    this.queue.addDropped(batch.dropped);
    this.manager.acceptBudget(batch.budget ?? []);
    for (const snap of batch.snapshots ?? []) this.acceptInlineSnapshot(snap);
  }

  /**
   * An injected snapshot becomes evidence once the maps of its stack's files are in: those loaded while the Debugger
   * domain was off are read from disk first (once per file). Snapshots keep their order.
   */
  private acceptInlineSnapshot(snap: InlineSnapshot): void {
    const files = unreportedFiles(snap, this.scripts, this.maps);
    const ready = files.length || this.snapshotsWaiting ? Promise.all(files.map((url) => this.maps.mapFile(url))) : undefined;
    const build = () => {
      try {
        this.enqueue(this.manager.acceptSnapshot(inlineSnapshotEvidence(snap, this.scripts, this.maps)));
      } catch (e) {
        this.deps.log(`injected snapshot of ${snap.probeId} could not be sent: ${errorMessage(e)}`);
      }
    };
    if (!ready) return build();
    this.snapshotsWaiting++;
    this.snapshotChain = Promise.all([this.snapshotChain, ready]).then(build, build).finally(() => this.snapshotsWaiting--);
  }

  private onMetrics(batch: MetricBatch): void {
    this.enqueue(this.manager.acceptMetrics(batch));
  }

  private enqueue(items: AgentEvidence[]): void {
    for (const item of items) this.queue.push(item);
    this.afterEnqueue();
  }

  private afterEnqueue(): void {
    if (this.queue.full) this.flushEvidence();
    else this.flushTimer ??= setTimeout(() => this.flushEvidence(), EVIDENCE_LIMITS.flushIntervalMs);
  }

  private flushEvidence(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    while (this.link.ready && this.link.bufferedAmount < MAX_SOCKET_BACKLOG_BYTES) {
      const batch = this.queue.takeBatch();
      if (!batch) return;
      this.link.sendEvidence(batch);
    }
    if (this.queue.size) this.flushTimer = setTimeout(() => this.flushEvidence(), EVIDENCE_LIMITS.flushIntervalMs);
  }
}
