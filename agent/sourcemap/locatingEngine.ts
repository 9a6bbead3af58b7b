import type { ProbeStatusCode } from '../../backend/protocol/probe';
import { errorMessage, type Log } from '../diagnosticLog';
import type { ScriptRegistry } from '../engine/scriptRegistry';
import type { EngineStatus, ProbeEngine, StatusCallback } from '../engine/types';
import type { InspectorClient } from '../inspectorClient';
import type { PreparedProbe } from '../probe/prepare';
import { blockedReason, type Blocklist } from '../redact/blocklist';
import { SerialQueue } from '../serialQueue';
import type { Locator, Resolution } from './locator';
import type { SourceMapRegistry } from './sourceMaps';
import { deployedText, matchesContentHash } from './versionCheck';

export interface LocatingEngineDeps {
  locator: Locator;
  maps: SourceMapRegistry;
  scripts: ScriptRegistry;
  client: InspectorClient;
  blocklist: Blocklist;
  onStatus: StatusCallback;
  log: Log;
  /** The deployed commit, named in version mismatches. */
  commit?: string;
}

interface Held {
  probe: PreparedProbe;
  /** What the inner engine was given (with a generated target when source-mapped). */
  placed: PreparedProbe;
  /** waiting: nothing loaded matched yet (the inner engine holds it by its path, for plain scripts). */
  mode: 'waiting' | 'direct' | 'mapped';
  /** The deployed file was checked against contentHash (or there is none). */
  verified: boolean;
}

type Found = Extract<Resolution, { kind: 'direct' | 'mapped' }>;

/**
 * Puts probes where they belong before any tier places them: through source maps (a probe on src/app.ts:12
 * lands on the generated line of the running bundle), refusing blocklisted files and files whose deployed
 * version differs from the editor's (contentHash). Wraps the tier engine (`attach`): probes waiting for their
 * file are re-resolved as source maps load, and bindings the inner engine makes later are checked too.
 */
export class LocatingEngine implements ProbeEngine {
  private inner?: ProbeEngine;
  private readonly held = new Map<string, Held>();
  private readonly queue = new SerialQueue();
  private readonly stopWatching: () => void;

  constructor(private readonly deps: LocatingEngineDeps) {
    this.stopWatching = deps.maps.onMapped(() => void this.queue.run(() => this.recheckWaiting()).catch((e) => deps.log(`re-resolving probes failed: ${errorMessage(e)}`)));
  }

  /** The tier engine; it must report statuses to `onInnerStatus`. */
  attach(inner: ProbeEngine): void {
    this.inner = inner;
  }

  add(probe: PreparedProbe): Promise<void> {
    return this.queue.run(async () => {
      await this.forget(probe.spec.id);
      await this.place(probe);
    });
  }

  remove(probeId: string): Promise<void> {
    return this.queue.run(() => this.forget(probeId));
  }

  async dispose(): Promise<void> {
    this.stopWatching();
    await this.queue.run(async () => this.held.clear());
    await this.inner?.dispose();
  }

  /** Statuses from the tier engine: a binding it made on its own (a late-loading file) is checked before it counts. */
  onInnerStatus(s: EngineStatus): void {
    const held = this.held.get(s.probeId);
    if (!held) return this.deps.onStatus(s);
    if (s.state === 'error') this.held.delete(s.probeId); // the tier gave up on it (and cleaned up): never revive it
    if (s.state !== 'bound') return this.deps.onStatus(s);
    const location = held.placed.target && !s.location.original ? { ...s.location, original: held.placed.target.original } : s.location;
    if (held.verified && held.mode !== 'waiting') return this.deps.onStatus({ ...s, location });
    void this.queue.run(() => this.checkLateBinding(held, { ...s, location })).catch((e) => this.deps.log(`checking a binding failed: ${errorMessage(e)}`));
  }

  private async place(probe: PreparedProbe): Promise<void> {
    const { id, file, line } = probe.spec;
    const blocked = this.deps.blocklist.blocked(file);
    if (blocked) return this.fail(id, 'blocked', blockedReason(blocked));
    await this.deps.maps.settled(); // maps of scripts that just loaded
    const r = this.deps.locator.resolve(file, line);
    if (r.kind === 'ambiguous') return this.fail(id, 'ambiguous', r.reason);
    if (r.kind === 'error') return this.fail(id, r.code, r.reason);
    if (r.kind === 'none') return this.handOver({ probe, placed: probe, mode: 'waiting', verified: probe.spec.contentHash === undefined });
    const problem = await this.check(probe, r);
    if (problem) return this.fail(id, problem.code, problem.reason);
    await this.handOver({ probe, placed: r.target ? { ...probe, target: r.target } : probe, mode: r.kind, verified: true });
  }

  private async handOver(held: Held): Promise<void> {
    this.held.set(held.probe.spec.id, held);
    await this.inner!.add(held.placed);
  }

  /** A source map arrived: waiting probes may now name one of its original sources. */
  private async recheckWaiting(): Promise<void> {
    for (const held of [...this.held.values()]) {
      if (held.mode !== 'waiting') continue;
      const { id, file, line } = held.probe.spec;
      const r = this.deps.locator.resolve(file, line);
      if (r.kind !== 'mapped' && r.kind !== 'ambiguous' && r.kind !== 'error') continue;
      await this.forget(id);
      if (r.kind === 'mapped') await this.place(held.probe);
      else this.fail(id, r.kind === 'ambiguous' ? 'ambiguous' : r.code, r.reason);
    }
  }

  private async checkLateBinding(held: Held, bound: Extract<EngineStatus, { state: 'bound' }>): Promise<void> {
    if (this.held.get(held.probe.spec.id) !== held) return; // removed or replaced meanwhile
    const blocked = this.deps.blocklist.blocked(bound.location.url, bound.location.original?.file);
    const script = this.deps.scripts.byUrl(bound.location.url);
    const problem = blocked
      ? { code: 'blocked' as const, reason: blockedReason(blocked) }
      : script && !held.verified
        ? await this.check(held.probe, { kind: 'direct', script, exact: true })
        : undefined;
    if (problem) {
      await this.forget(held.probe.spec.id);
      return this.fail(held.probe.spec.id, problem.code, problem.reason);
    }
    held.verified = true;
    if (held.mode === 'waiting') held.mode = 'direct';
    this.deps.onStatus(bound);
  }

  /** Blocklist and version checks on a resolved file; a problem, or undefined when the probe may go in. */
  private async check(probe: PreparedProbe, r: Found): Promise<{ code: ProbeStatusCode; reason: string } | undefined> {
    const url = r.kind === 'mapped' ? r.mapped.script.url : r.script.url;
    const blocked = this.deps.blocklist.blocked(url, r.kind === 'mapped' ? r.file : undefined);
    if (blocked) return { code: 'blocked', reason: blockedReason(blocked) };
    const { contentHash, file, line } = probe.spec;
    if (contentHash === undefined) return undefined;
    const text = await deployedText(r, this.deps);
    if (text === undefined) {
      this.deps.log(`${probe.spec.id}: cannot read the deployed ${file} to compare with the editor's version; placing it unchecked`);
      return undefined;
    }
    if (matchesContentHash(text, contentHash)) return undefined;
    const where = r.kind === 'mapped' ? r.file : r.script.url;
    const commit = this.deps.commit ? `commit ${this.deps.commit}` : 'an unknown commit';
    return {
      code: 'version_mismatch',
      reason: `the running ${where} (from ${commit}) differs from the file in the editor, so line ${line} may be a different line there; open the deployed version (or deploy yours) and place the probe again`,
    };
  }

  private async forget(probeId: string): Promise<void> {
    if (!this.held.delete(probeId)) return;
    await this.inner!.remove(probeId);
  }

  private fail(probeId: string, code: ProbeStatusCode, reason: string): void {
    this.deps.onStatus({ probeId, state: 'error', reason, code });
  }
}

