import { errorMessage, type Log } from './diagnosticLog';
import type { InspectorClient } from './inspectorClient';

/** An idle spell this long turns the domain off (a probe removed and placed again does not pay two enables). */
export const IDLE_OFF_MS = 2000;

export interface DebuggerSwitchDeps {
  client: InspectorClient;
  log: Log;
  /** Whether anything needs the domain now (a probe held, an engine operation under way). */
  needed(): boolean;
  idleOffMs?: number;
}

/**
 * Keeps V8's Debugger domain on only while the agent has probes. With it on, V8 runs every `await` through its slow
 * path (the debugger may want to step into it): `await null` 0.06 → 0.55 µs, an async call awaiting two others
 * 0.18 → 2.0 µs, and every script the program compiles is reported to the session (~25 µs each). An idle agent
 * therefore leaves the program as it runs without one. Turning the domain on blocks the program's thread while V8
 * reports every loaded script (tens of ms, logged); it is done when the first probe arrives, not at start.
 */
export class DebuggerSwitch {
  private on = false;
  private chain: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: DebuggerSwitchDeps) {}

  get isOn(): boolean {
    return this.on;
  }

  /** Resolves once the domain is on (after whatever switching was queued before). */
  ensureOn(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    return this.run(async () => {
      if (this.on || this.stopped) return;
      const started = performance.now();
      await this.deps.client.post('Debugger.enable', {
        // The inspector otherwise keeps every script the program compiled and then dropped, source and all, while
        // the domain is on (the protocol's default is no limit): `new Function`, `vm`, template engines, and V8's
        // own breakpoint conditions. 1,000,000 `new Function` calls grew a service by 368 MB instead of 130 MB.
        // The agent only ever reads scripts that are still loaded.
        maxScriptsCacheSize: 0,
      });
      this.on = true;
      this.deps.log(`Debugger.enable took ${(performance.now() - started).toFixed(1)} ms (the main thread was blocked about as long)`);
    });
  }

  /** Turns the domain off after IDLE_OFF_MS if nothing needs it then. */
  offWhenIdle(): void {
    if (!this.on || this.stopped || this.deps.needed()) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      void this.run(async () => {
        if (!this.on || this.deps.needed()) return;
        await this.deps.client.post('Debugger.disable');
        this.on = false;
        this.deps.log('Debugger disabled: no probes');
      });
    }, this.deps.idleOffMs ?? IDLE_OFF_MS);
    this.idleTimer.unref();
  }

  /** No more switching (the agent stops; closing the session turns the domain off). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.idleTimer);
  }

  private run(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step);
    this.chain = next.catch((e) => this.deps.log(`switching the Debugger domain failed: ${errorMessage(e)}`));
    return next;
  }
}
