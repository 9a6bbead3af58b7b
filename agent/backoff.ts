/**
 * Reconnect delays: exponential from `minMs` to `maxMs`, each delay drawn from the upper half of its step ("equal jitter", never below `minMs`) so a fleet of
 * agents that lost the same relay does not reconnect in lock-step.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly minMs = 500,
    private readonly maxMs = 30_000,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const ceiling = Math.min(this.maxMs, this.minMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.max(this.minMs, Math.round(ceiling / 2 + (this.random() * ceiling) / 2));
  }

  reset(): void {
    this.attempt = 0;
  }
}
