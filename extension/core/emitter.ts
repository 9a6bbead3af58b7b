/** What `vscode.Disposable` and our own subscriptions share, so core never needs the vscode module. */
export interface Disposable {
  dispose(): void;
}

export type Listener<T> = (value: T) => void;
/** Subscribe with a listener; dispose the result to unsubscribe (same shape as `vscode.Event`). */
export type Event<T> = (listener: Listener<T>) => Disposable;

/** A minimal typed event source. A throwing listener is reported, never allowed to starve the others. */
export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
