import { h } from './dom';

/** One node of a tree view; `children` is called only when the node is first expanded (lazy). */
export interface TreeNodeSpec {
  id: string;
  content: Array<Node | string>;
  /** Read by screen readers instead of the content's text when given. */
  ariaLabel?: string;
  children?: () => TreeNodeSpec[];
}

/**
 * An accessible tree (the WAI-ARIA tree pattern): one tab stop, arrow keys move, Right/Left expand and collapse
 * (or move to the first child / the parent), Home/End, Enter or Space toggles; clicking a row toggles it.
 * Children are built on first expansion, so a large capture costs nothing until it is opened. `expanded` holds
 * the ids of open nodes and is updated as the user toggles, so a re-render keeps what was open.
 */
export function treeView(label: string, nodes: readonly TreeNodeSpec[], expanded: Set<string>, testId?: string): HTMLElement {
  const root = h('ul', { role: 'tree', class: 'tree', 'aria-label': label, 'data-testid': testId });
  for (const node of nodes) root.appendChild(renderNode(node, 1, expanded));
  const first = root.querySelector<HTMLElement>('[role="treeitem"]');
  if (first) first.tabIndex = 0;
  root.addEventListener('keydown', (event) => onKey(root, event, expanded));
  root.addEventListener('click', (event) => {
    const item = (event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]');
    if (!item || !root.contains(item)) return;
    event.stopPropagation();
    focusItem(root, item);
    if (item.hasAttribute('aria-expanded')) toggle(item, expanded);
  });
  return root;
}

function renderNode(node: TreeNodeSpec, level: number, expanded: Set<string>): HTMLElement {
  const canExpand = !!node.children;
  const li = h('li', { role: 'treeitem', tabindex: -1, 'aria-level': level, 'data-node': node.id, 'aria-label': node.ariaLabel });
  const row = h('div', { class: 'tree-row' }, h('span', { class: `twisty${canExpand ? '' : ' leaf'}`, 'aria-hidden': 'true' }), ...node.content);
  li.appendChild(row);
  if (canExpand) {
    li.setAttribute('aria-expanded', 'false');
    (li as HTMLElement & { lazyChildren?: () => HTMLElement }).lazyChildren = () => {
      const group = h('ul', { role: 'group' });
      for (const child of node.children!()) group.appendChild(renderNode(child, level + 1, expanded));
      return group;
    };
    if (expanded.has(node.id)) toggle(li, expanded, true);
  }
  return li;
}

function toggle(item: HTMLElement, expanded: Set<string>, open = item.getAttribute('aria-expanded') !== 'true'): void {
  const lazy = item as HTMLElement & { lazyChildren?: () => HTMLElement };
  let group = item.querySelector<HTMLElement>(':scope > ul[role="group"]');
  if (open && !group && lazy.lazyChildren) item.appendChild((group = lazy.lazyChildren()));
  if (group) group.hidden = !open;
  item.setAttribute('aria-expanded', String(open));
  const id = item.dataset.node!;
  if (open) expanded.add(id);
  else expanded.delete(id);
}

function visibleItems(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>('[role="treeitem"]')].filter((el) => !el.parentElement?.closest('[role="treeitem"][aria-expanded="false"]'));
}

function focusItem(root: HTMLElement, item: HTMLElement): void {
  for (const el of root.querySelectorAll<HTMLElement>('[role="treeitem"][tabindex="0"]')) el.tabIndex = -1;
  item.tabIndex = 0;
  item.focus();
}

function onKey(root: HTMLElement, event: KeyboardEvent, expanded: Set<string>): void {
  const current = (event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]');
  if (!current) return;
  const items = visibleItems(root);
  const index = items.indexOf(current);
  const isOpen = current.getAttribute('aria-expanded') === 'true';
  const canExpand = current.hasAttribute('aria-expanded');
  let target: HTMLElement | undefined;
  switch (event.key) {
    case 'ArrowDown':
      target = items[index + 1];
      break;
    case 'ArrowUp':
      target = items[index - 1];
      break;
    case 'Home':
      target = items[0];
      break;
    case 'End':
      target = items[items.length - 1];
      break;
    case 'ArrowRight':
      if (canExpand && !isOpen) toggle(current, expanded, true);
      else if (isOpen) target = current.querySelector<HTMLElement>(':scope > ul > [role="treeitem"]') ?? undefined;
      break;
    case 'ArrowLeft':
      if (isOpen) toggle(current, expanded, false);
      else target = current.parentElement?.closest<HTMLElement>('[role="treeitem"]') ?? undefined;
      break;
    case 'Enter':
    case ' ':
      if (canExpand) toggle(current, expanded);
      break;
    default:
      return;
  }
  event.preventDefault();
  if (target) focusItem(root, target);
}
