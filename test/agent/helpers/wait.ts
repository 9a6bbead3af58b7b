/** Polls `probe` until it returns a value (not undefined/false); rejects with `what` and context after `ms`. */
export function waitUntil<T>(probe: () => T | undefined | false, what: string, ms = 15_000, context?: () => string): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      let value: T | undefined | false;
      try {
        value = probe();
      } catch (e) {
        return reject(e);
      }
      if (value !== undefined && value !== false) return resolve(value);
      if (Date.now() - started > ms) return reject(new Error(`timed out after ${ms} ms waiting for ${what}${context ? `; ${context()}` : ''}`));
      setTimeout(check, 20);
    };
    check();
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
