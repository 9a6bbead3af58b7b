import inspector from 'node:inspector';
import type { WorkerToHost } from './channel';
import { isSessionClosed, markSessionClosed, markSessionClosing, markSessionOpen } from './exitGuard';
import { InspectorClient } from './inspectorClient';

/**
 * The worker's inspector session on the main thread, and its safe closing (see exitGuard for why the worker
 * must outlive the main thread's half of a disconnect).
 */
export class WorkerSession {
  readonly client: InspectorClient;
  private disconnected = false;
  private acknowledged?: () => void;

  constructor(
    private readonly state: Int32Array,
    private readonly tellHost: (msg: WorkerToHost) => void,
  ) {
    const session = new inspector.Session();
    session.connectToMainThread();
    markSessionOpen(state);
    this.client = new InspectorClient(session);
  }

  /** Disconnects, and resolves once the main thread has finished removing the session: then the worker may end. */
  async close(): Promise<void> {
    if (isSessionClosed(this.state)) return;
    this.disconnect();
    await new Promise<void>((resolve) => {
      this.acknowledged = resolve;
      this.tellHost({ type: 'sessionClosed' });
    });
    markSessionClosed(this.state);
  }

  /** The main thread acknowledged our disconnect. */
  onAcknowledged(): void {
    this.acknowledged?.();
  }

  /** The process is exiting: the main thread waits in its exit handler and completes the removal meanwhile. */
  closeForExit(): void {
    this.disconnect();
    markSessionClosed(this.state);
    this.acknowledged?.();
  }

  private disconnect(): void {
    if (this.disconnected) return;
    this.disconnected = true;
    markSessionClosing(this.state);
    this.client.disconnect();
  }
}
