import { h } from '../components/dom';
import { parseMarkdown, type Block, type Inline } from './investigationMarkdownParse';

/** Renders the report's Markdown as DOM built element by element (text nodes only: nothing is parsed as HTML). */
export function renderMarkdown(source: string): HTMLElement {
  return h('div', { class: 'markdown', 'data-testid': 'investigation-report' }, ...parseMarkdown(source).map(block));
}

function block(b: Block): HTMLElement {
  switch (b.t) {
    case 'heading':
      return h(`h${Math.min(6, b.level + 1)}`, {}, ...inline(b.inline));
    case 'paragraph':
      return h('p', {}, ...inline(b.inline));
    case 'code':
      return h('pre', {}, h('code', {}, b.text));
    case 'list':
      return h('ul', {}, ...b.items.map((item) => h('li', {}, ...inline(item.inline), ...item.children.map(block))));
    case 'table':
      return h(
        'div',
        { class: 'table-wrap' },
        h('table', {}, h('thead', {}, h('tr', {}, ...b.head.map((c) => h('th', {}, ...inline(c))))), h('tbody', {}, ...b.rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, ...inline(c))))))),
      );
  }
}

function inline(parts: Inline[]): Node[] {
  return parts.map((p) => (p.t === 'text' ? document.createTextNode(p.v) : h(p.t === 'code' ? 'code' : 'strong', {}, p.v)));
}
