import type { Method, ParamsOf, ProbeView, ResultOf } from '../protocol';

/**
 * The one thing the MCP tools need from a relay: a typed request. Over stdio it is a RelayClient; inside the
 * relay it is a client session of the relay's own request handler. Failures are RuntruthErrors (wire codes).
 */
export interface RelayCaller {
  call<M extends Method>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
}

/** How many ended probes a session remembers (for get_proposal_status after a rejection or removal). */
const REMEMBERED_ENDED = 500;

/**
 * `probe.list` answers only open probes (proposed or live). The relay pushes every lifecycle change of the
 * probes in the caller's scope, so a session keeps the last view of the ones that ended: a model asking
 * about a proposal a person rejected learns that, and why, instead of "not found".
 */
export class EndedProbes {
  private readonly views = new Map<string, ProbeView>();

  /** Feed every `probe.state` event here. */
  note(view: ProbeView): void {
    const id = view.probe.id;
    if (view.state === 'proposed' || view.state === 'live' || view.state === undefined) {
      this.views.delete(id);
      return;
    }
    this.views.delete(id); // re-insert: the map's order is recency
    this.views.set(id, view);
    if (this.views.size > REMEMBERED_ENDED) this.views.delete(this.views.keys().next().value as string);
  }

  get(probeId: string): ProbeView | undefined {
    return this.views.get(probeId);
  }
}
