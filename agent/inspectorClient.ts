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
  private breakpointCount = 0;
  private inFlightCount = 0;
  private messageCount = 0;

  /**
   * Breakpoints set through this session and not removed since (V8 drops some in an edited script without telling:
   * the count can only be too high, which keeps the Debugger domain on for nothing, never off under a breakpoint).
   */
  get breakpoints(): number {
    return this.breakpointCount;
  }

  /** Commands sent and not answered yet. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Commands sent and notifications received so far: a change says the session kept the worker busy meanwhile. */
  get messages(): number {
    return this.messageCount;
  }

  constructor(private readonly session: Session) {
    session.on('inspectorNotification', (msg: { method: string; params?: unknown }) => {
      this.messageCount++;
      for (const listener of this.listeners.get(msg.method) ?? []) listener(msg.params);
    });
  }

  post<M extends keyof Commands>(method: M, ...params: Commands[M]['paramsType']): Promise<Commands[M]['returnType']> {
    return new Promise((resolve, reject) => {
      try {
        this.messageCount++;
        this.inFlightCount++;
        this.session.post(method, params[0] ?? {}, (err: Error | null, result?: object) => {
          this.inFlightCount--;
          if (err) return reject(new InspectorCommandError(method, err.message));
          this.countBreakpoints(method);
          resolve(result as Commands[M]['returnType']);
        });
      } catch (e) {
        this.inFlightCount--;
        reject(e); // session already disconnected
      }
    });
  }

  private countBreakpoints(method: string): void {
    if (method === 'Debugger.setBreakpointByUrl' || method === 'Debugger.setBreakpoint') this.breakpointCount++;
    else if (method === 'Debugger.removeBreakpoint') this.breakpointCount = Math.max(0, this.breakpointCount - 1);
    else if (method === 'Debugger.disable') this.breakpointCount = 0;
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
