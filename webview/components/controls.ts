import { h } from './dom';

/**
 * The panel's controls, built on the toolkit's web components (registered in toolkit.ts). Views call these and
 * never name a `vscode-*` element themselves.
 */

export function button(label: string, onClick: () => void, opts: { appearance?: 'primary' | 'secondary' | 'icon'; title?: string; testId?: string } = {}): HTMLElement {
  const el = h('vscode-button', { appearance: opts.appearance ?? 'secondary', title: opts.title, 'aria-label': opts.title ?? label, 'data-testid': opts.testId }, label);
  el.addEventListener('click', onClick);
  return el;
}

export function textField(placeholder: string, value: string, onInput: (value: string) => void, label: string): HTMLElement {
  const el = h('vscode-text-field', { placeholder, 'aria-label': label, value }) as HTMLElement & { value: string };
  el.addEventListener('input', () => onInput(el.value));
  return el;
}

export interface DropdownHandle {
  element: HTMLElement;
  /** Replaces the options (keeping the selection when it still exists). */
  setOptions(options: ReadonlyArray<readonly [value: string, label: string]>, selected: string): void;
}

export function dropdown(label: string, onChange: (value: string) => void): DropdownHandle {
  const element = h('vscode-dropdown', { 'aria-label': label, title: label }) as HTMLElement & { value: string };
  let signature = '';
  element.addEventListener('change', () => onChange(element.value));
  return {
    element,
    setOptions(options, selected) {
      const next = JSON.stringify([options, selected]);
      if (next === signature) return; // rebuilding an open dropdown would close it under the user's pointer
      signature = next;
      element.replaceChildren(...options.map(([value, text]) => h('vscode-option', { value, selected: value === selected }, text)));
      queueMicrotask(() => (element.value = selected));
    },
  };
}

/**
 * A count badge. Not the toolkit's vscode-badge: its template binds an inline `style` attribute, which the
 * panel's strict CSP (no 'unsafe-inline') blocks and reports; a span styled by panel.css needs no exception.
 */
export function badge(text: string | number, title?: string): HTMLElement {
  return h('span', { class: 'badge', title }, String(text));
}

export function tag(text: string, title?: string, className?: string): HTMLElement {
  return h('vscode-tag', { title, class: className }, text);
}

export interface TabsHandle {
  element: HTMLElement;
  views: Record<string, HTMLElement>;
  setCount(id: string, count: number): void;
  select(id: string): void;
}

/** Tabs (arrow keys move between them, as the toolkit implements the ARIA tabs pattern). */
export function tabs(defs: ReadonlyArray<{ id: string; label: string }>, onSelect: (id: string) => void): TabsHandle {
  const counts: Record<string, HTMLElement> = {};
  const views: Record<string, HTMLElement> = {};
  const element = h('vscode-panels', { 'aria-label': 'Runtruth views' });
  for (const d of defs) {
    counts[d.id] = badge(0);
    element.appendChild(h('vscode-panel-tab', { id: `tab-${d.id}` }, d.label, ' ', counts[d.id]));
  }
  for (const d of defs) {
    views[d.id] = h('vscode-panel-view', { id: `view-${d.id}`, class: 'view' });
    element.appendChild(views[d.id]!);
  }
  element.addEventListener('change', () => {
    const active = (element as HTMLElement & { activeid?: string }).activeid;
    if (active) onSelect(active.replace(/^tab-/, ''));
  });
  return {
    element,
    views,
    setCount: (id, count) => void (counts[id]!.textContent = String(count)),
    select: (id) => (element as HTMLElement & { activeid?: string }).setAttribute('activeid', `tab-${id}`),
  };
}
