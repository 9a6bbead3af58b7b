import type { ArmedProbe, WorkerToHook } from './channel';

/** How long to wait for the main thread to take a probe into its hook before placing the probe anyway. */
const ARM_TIMEOUT_MS = 5000;

/**
 * Arms probes in the main-thread hook and says when the hook has them. The probe's code may go into the program
 * only after that: LiveEdit runs on the main thread as an inspector interrupt, even in the middle of a long
 * synchronous stretch, while the hook's port message waits for the event loop. Placed first, the probe would
 * report `bound` and run, and the hook would turn its hits away as unknown until the loop came round.
 */
export class HookArming {
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(private readonly toHook: (msg: WorkerToHook) => void) {}

  /** Resolves when the hook acknowledged the probe (or after ARM_TIMEOUT_MS: a hung main thread runs nothing anyway). */
  arm(probe: ArmedProbe): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ARM_TIMEOUT_MS);
      timer.unref();
      const list = this.waiting.get(probe.probeId) ?? [];
      list.push(done);
      this.waiting.set(probe.probeId, list);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        const rest = (self.waiting.get(probe.probeId) ?? []).filter((d) => d !== done);
        if (rest.length) self.waiting.set(probe.probeId, rest);
        else self.waiting.delete(probe.probeId);
        resolve();
      }
      try {
        this.toHook({ type: 'arm', probe });
      } catch {
        done(); // the port is closed: the agent is stopping
      }
    });
  }

  /** The hook's acknowledgement (acks arrive in the order arms were sent). */
  onArmed(probeId: string): void {
    this.waiting.get(probeId)?.[0]?.();
  }

  /** Releases every waiter (the agent stops). */
  releaseAll(): void {
    for (const list of [...this.waiting.values()]) for (const done of [...list]) done();
  }
}
