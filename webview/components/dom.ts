/** A tiny hyperscript: builds elements without innerHTML, so text from the network is always text. */
type Child = Node | string | number | false | null | undefined;
type Attrs = Record<string, string | number | boolean | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/**
 * Updates `container`'s children to match `items`, reusing the element of every item whose signature did not
 * change. Unchanged rows keep their DOM (and so keyboard focus) while a live stream updates around them.
 */
export function renderKeyed<T>(container: HTMLElement, items: readonly T[], key: (item: T) => string, signature: (item: T) => string, render: (item: T) => HTMLElement): void {
  const existing = new Map<string, HTMLElement>();
  for (const child of Array.from(container.children) as HTMLElement[]) if (child.dataset.key) existing.set(child.dataset.key, child);
  let cursor: ChildNode | null = container.firstChild;
  for (const item of items) {
    const k = key(item);
    const sig = signature(item);
    let el = existing.get(k);
    if (!el || el.dataset.sig !== sig) {
      const fresh = render(item);
      fresh.dataset.key = k;
      fresh.dataset.sig = sig;
      if (el) {
        if (cursor === el) cursor = fresh;
        el.replaceWith(fresh);
      }
      el = fresh;
    }
    existing.delete(k);
    if (el !== cursor) container.insertBefore(el, cursor);
    cursor = el.nextSibling;
  }
  for (const stale of existing.values()) stale.remove();
  while (cursor) {
    const next: ChildNode | null = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}
