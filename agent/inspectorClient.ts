import type { Session } from 'node:inspector';
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping';

type Commands = ProtocolMapping.Commands;
type Events = ProtocolMapping.Events;

/** A CDP error answered by V8 (bad params, unknown method): kept apart from transport failures. */
export class InspectorCommandError extends Error {
  constructor(method: string, message: string) {
    super(`${method} failed: ${message}`);
    this.name = 'InspectorCommandError';
  }
}

/**
 * A typed, promise-returning view of an `inspector.Session`, typed from the generated devtools-protocol
 * mapping rather than by hand, so a misspelt method or parameter fails to compile.
 */
export class InspectorClient {
  private readonly listeners = new Map<string, Set<(params: unknown) => void>>();

  constructor(private readonly session: Session) {
    session.on('inspectorNotification', (msg: { method: string; params?: unknown }) => {
      for (const listener of this.listeners.get(msg.method) ?? []) listener(msg.params);
    });
  }

  post<M extends keyof Commands>(method: M, ...params: Commands[M]['paramsType']): Promise<Commands[M]['returnType']> {
    return new Promise((resolve, reject) => {
      try {
        this.session.post(method, params[0] ?? {}, (err: Error | null, result?: object) => {
          if (err) reject(new InspectorCommandError(method, err.message));
          else resolve(result as Commands[M]['returnType']);
        });
      } catch (e) {
        reject(e); // session already disconnected
      }
    });
  }

  on<E extends keyof Events>(event: E, listener: (...params: Events[E]) => void): void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as unknown as (params: unknown) => void); // CDP events carry one params object
  }

  disconnect(): void {
    try {
      this.session.disconnect();
    } catch {
      // already disconnected
    }
  }
}
