import { button } from '../components/controls';
import { h, renderKeyed } from '../components/dom';
import { treeView, type TreeNodeSpec } from '../components/tree';
import type { EvidenceRow, FrameNode, SnapshotDetail, SnapshotReport, ValueNode } from '../protocol';

export interface SnapshotView {
  /** Re-renders the capture list and (when it changed) the explorer; returns what is shown, for the host. */
  render(captures: readonly EvidenceRow[], snapshot: SnapshotDetail | undefined): SnapshotReport | undefined;
}

/** The snapshot explorer: recent captures to pick from, then stack frames → variables as a lazy, keyboard tree. */
export function createSnapshotView(container: HTMLElement, open: (evidenceId: number) => void): SnapshotView {
  const list = h('ul', { class: 'captures', 'aria-label': 'Recent snapshots, newest first', 'data-testid': 'captures' });
  const explorer = h('div', { class: 'explorer', 'data-testid': 'snapshot' });
  const empty = h('p', { class: 'muted empty' }, 'No snapshot yet: right-click a line number and choose "Add Snapshot", then send traffic to that line.');
  container.replaceChildren(empty, list, explorer);
  const expanded = new Set<string>(['frame-0']);
  let shownId: number | undefined;

  return {
    render(captures, snapshot) {
      empty.hidden = !!captures.length || !!snapshot;
      renderKeyed(list, captures, (r) => r.key, (r) => `${r.key}:${r.evidenceId === snapshot?.evidenceId}`, (r) =>
        h(
          'li',
          { class: r.evidenceId === snapshot?.evidenceId ? 'capture selected' : 'capture' },
          button(`${r.time} · ${r.location ?? r.probeId} · ${r.instance}`, () => open(r.evidenceId!), { appearance: 'secondary', title: `Open the snapshot taken at ${r.at} on ${r.instance}` }),
        ),
      );
      if (!snapshot) return undefined;
      if (snapshot.evidenceId !== shownId) {
        shownId = snapshot.evidenceId;
        explorer.replaceChildren(...renderSnapshot(snapshot, expanded));
      }
      return {
        evidenceId: snapshot.evidenceId,
        probeId: snapshot.probeId,
        frames: snapshot.frames.length,
        values: [...snapshot.watches, ...(snapshot.frames[0]?.locals ?? [])].map((v) => `${v.name}=${v.text}`),
      };
    },
  };
}

function renderSnapshot(s: SnapshotDetail, expanded: Set<string>): Node[] {
  const head = h(
    'div',
    { class: 'snapshot-head' },
    h('strong', {}, s.location),
    h('span', { class: 'muted' }, ` · ${s.service}/${s.instance} · `, h('time', { datetime: s.at, title: s.at }, s.time)),
    s.pauseMs !== undefined ? h('span', { class: 'muted' }, ` · paused ${s.pauseMs.toFixed(2)} ms`) : '',
    s.truncated ? h('div', { class: 'warning' }, 'Size limit reached: some values were left out (marked …).') : '',
  );
  const nodes: TreeNodeSpec[] = [];
  if (s.watches.length) {
    nodes.push({ id: 'watches', content: [h('span', { class: 'frame-fn' }, 'Watches')], children: () => s.watches.map((w, i) => valueSpec(w, `watch-${i}`)) });
    expanded.add('watches');
  }
  s.frames.forEach((f, i) => nodes.push(frameSpec(f, i)));
  return [head, treeView('Stack frames and variables', nodes, expanded, 'snapshot-tree')];
}

function frameSpec(f: FrameNode, i: number): TreeNodeSpec {
  const content = [h('span', { class: 'frame-fn' }, f.function), h('span', { class: 'muted', title: f.fullLocation }, `  ${f.location}`)];
  const ariaLabel = `Frame ${i}: ${f.function} at ${f.location}${f.locals ? `, ${f.locals.length} locals` : ', locals not captured'}`;
  if (!f.locals) return { id: `frame-${i}`, content, ariaLabel };
  return { id: `frame-${i}`, content, ariaLabel, children: () => (f.locals!.length ? f.locals!.map((v, j) => valueSpec(v, `frame-${i}/${j}`)) : [{ id: `frame-${i}/none`, content: [h('span', { class: 'muted' }, 'no locals')] }]) };
}

function valueSpec(v: ValueNode, id: string): TreeNodeSpec {
  const content = [
    h('span', { class: 'var-name' }, v.name),
    h('span', { class: 'muted' }, ' = '),
    h('code', { class: `var-value type-${v.type.replace(/[^A-Za-z0-9_-]/g, '')}` }, v.text),
    h('span', { class: 'muted var-type' }, ` ${v.type}`),
    v.note ? h('span', { class: 'note' }, ` (${v.note})`) : '',
  ];
  const ariaLabel = `${v.name} = ${v.text}, ${v.type}${v.note ? `, ${v.note}` : ''}`;
  return v.children ? { id, content, ariaLabel, children: () => v.children!.map((c, i) => valueSpec(c, `${id}/${i}`)) } : { id, content, ariaLabel };
}
