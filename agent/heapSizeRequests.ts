/** Answers arrive in the order asked: the hook answers each request as it reads it. */
const ANSWER_TIMEOUT_MS = 1000;

/**
 * Asks the program's thread how much heap a live edit would walk (see HeapSize in channel.ts): the worker's own
 * `v8` module reports the worker's heap, not the program's. Undefined when no answer comes in time.
 */
export class HeapSizeRequests {
  private waiting: Array<(bytes: number | undefined) => void> = [];

  constructor(private readonly send: () => void) {}

  ask(): Promise<number | undefined> {
    return new Promise((resolve) => {
      const answer = (bytes: number | undefined) => {
        clearTimeout(timer);
        resolve(bytes);
      };
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== answer);
        resolve(undefined);
      }, ANSWER_TIMEOUT_MS);
      timer.unref();
      this.waiting.push(answer);
      this.send();
    });
  }

  answer(bytes: number): void {
    this.waiting.shift()?.(bytes);
  }
}
