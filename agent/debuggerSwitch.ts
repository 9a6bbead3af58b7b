import { errorMessage, type Log } from './diagnosticLog';
import type { InspectorClient } from './inspectorClient';

/** While on, the domain is checked this often; two idle checks in a row turn it off (0.5-1 s idle). */
export const IDLE_CHECK_MS = 500;

export interface DebuggerSwitchDeps {
  client: InspectorClient;
  log: Log;
  /**
   * Whether anything needs the domain now: a probe waiting for its file, a breakpoint, an edit under way or to be
   * retried, a command in flight. Injected probes do not (their code stays in the program with the domain off).
   */
  needed(): boolean;
  idleCheckMs?: number;
}

/**
 * Keeps V8's Debugger domain on only while something needs it. With it on, V8 runs every `await` through its slow
 * path (the debugger may want to step into it): `await null` 0.06 → 0.55 µs, an async call awaiting two others
 * 0.18 → 2.0 µs, and every script the program compiles is reported to the session (~25 µs each). Probe code inserted
 * by a live edit stays in the program with the domain off, so an agent whose probes are all injected — or that has
 * none — leaves the program running as it does without one. Turning the domain on blocks the program's thread while
 * V8 reports every loaded script (tens of ms, logged): each placement or removal pays it when the domain is off.
 */
export class DebuggerSwitch {
  private on = false;
  private chain: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: DebuggerSwitchDeps) {}

  /** Resolves once the domain is on (after whatever switching was queued before). */
  ensureOn(): Promise<void> {
    return this.run(async () => {
      if (this.on) return;
      const started = performance.now();
      await this.deps.client.post('Debugger.enable', {
        // The inspector otherwise keeps every script the program compiled and then dropped, source and all, while
        // the domain is on (the protocol's default is no limit): `new Function`, `vm`, template engines, and V8's
        // own breakpoint conditions. 1,000,000 `new Function` calls grew a service by 368 MB instead of 130 MB.
        // The agent only ever reads scripts that are still loaded.
        maxScriptsCacheSize: 0,
      });
      this.on = true;
      if (!this.stopped) this.watchIdle();
      this.deps.log(`Debugger.enable took ${(performance.now() - started).toFixed(1)} ms (the main thread was blocked about as long)`);
    });
  }

  /** While the domain is on: turns it off once two checks in a row found nothing needing it. */
  private watchIdle(): void {
    let idleChecks = 0;
    clearInterval(this.idleTimer);
    this.idleTimer = setInterval(() => {
      idleChecks = this.deps.needed() ? 0 : idleChecks + 1;
      if (idleChecks < 2) return;
      clearInterval(this.idleTimer);
      this.idleTimer = undefined;
      void this.run(async () => {
        if (!this.on || this.stopped) return;
        if (this.deps.needed()) return this.watchIdle();
        await this.deps.client.post('Debugger.disable');
        this.on = false;
        this.deps.log('Debugger disabled: nothing needs it (no probes, or all of them in the code)');
      });
    }, this.deps.idleCheckMs ?? IDLE_CHECK_MS);
    this.idleTimer.unref();
  }

  /** No more turning off (the agent stops: it may need the domain to take its probes out; closing the session ends it). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.idleTimer);
  }

  private run(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step);
    this.chain = next.catch((e) => this.deps.log(`switching the Debugger domain failed: ${errorMessage(e)}`));
    return next;
  }
}
