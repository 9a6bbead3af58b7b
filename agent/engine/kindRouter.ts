import type { ProbeKind } from '../../backend/protocol/probe';
import type { PreparedProbe } from '../probe/prepare';
import type { ProbeEngine } from './types';

/**
 * Sends each probe to the engine for its kind: snapshots to the pausing snapshot engine, logpoints and metrics
 * to whichever tier places logpoints (so metrics get code injection wherever logpoints do).
 */
export class KindRouter implements ProbeEngine {
  private readonly owner = new Map<string, ProbeEngine>();

  constructor(private readonly engines: Record<ProbeKind, ProbeEngine>) {}

  async add(probe: PreparedProbe): Promise<void> {
    const engine = this.engines[probe.spec.kind];
    const previous = this.owner.get(probe.spec.id);
    if (previous && previous !== engine) await previous.remove(probe.spec.id);
    this.owner.set(probe.spec.id, engine);
    await engine.add(probe);
  }

  async remove(probeId: string): Promise<void> {
    const engine = this.owner.get(probeId);
    this.owner.delete(probeId);
    await engine?.remove(probeId);
  }

  async dispose(): Promise<void> {
    this.owner.clear();
    for (const engine of new Set(Object.values(this.engines))) await engine.dispose();
  }
}
