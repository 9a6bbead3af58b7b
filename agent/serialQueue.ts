/**
 * Runs async tasks one at a time, in order. Breakpoint changes go through one of these so an add, a remove and
 * a script load never interleave half-way (e.g. a remove arriving while setBreakpointByUrl is in flight).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** A task is queued or running. */
  get busy(): boolean {
    return this.pending > 0;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined).finally(() => this.pending--);
    return result;
  }
}
