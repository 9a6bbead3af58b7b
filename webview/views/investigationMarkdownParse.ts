/**
 * The Markdown subset the RCA report uses (headings, paragraphs, nested lists, tables, fenced code, `code`,
 * **bold**) parsed into plain data. No HTML passes through: raw tags, links and images stay literal text, so a
 * value captured from production (which the report quotes) can never become markup in the panel.
 */

export type Inline = { t: 'text' | 'code' | 'strong'; v: string };

export type Block =
  | { t: 'heading'; level: number; inline: Inline[] }
  | { t: 'paragraph'; inline: Inline[] }
  | { t: 'list'; items: Array<{ inline: Inline[]; children: Block[] }> }
  | { t: 'table'; head: Inline[][]; rows: Inline[][][] }
  | { t: 'code'; text: string };

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.trim()) {
      i++;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      blocks.push({ t: 'heading', level: heading[1]!.length, inline: parseInline(heading[2]!) });
      i++;
    } else if (line.startsWith('```')) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
      i++; // the closing fence (or the end)
      blocks.push({ t: 'code', text: body.join('\n') });
    } else if (line.startsWith('|') && /^\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? '')) {
      const head = cells(line);
      const rows: Inline[][][] = [];
      for (i += 2; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(cells(lines[i]!));
      blocks.push({ t: 'table', head, rows });
    } else if (/^\s*- /.test(line)) {
      const start = i;
      while (i < lines.length && (/^\s*- /.test(lines[i]!) || /^\s{2,}\S/.test(lines[i]!))) i++;
      blocks.push(parseList(lines.slice(start, i)));
    } else {
      const text: string[] = [];
      while (i < lines.length && lines[i]!.trim() && !/^(#{1,6}\s|```|\||\s*- )/.test(lines[i]!)) text.push(lines[i++]!.trim());
      blocks.push({ t: 'paragraph', inline: parseInline(text.join(' ')) });
    }
  }
  return blocks;
}

/** Items at the first line's indentation; deeper lines belong to the item above (nested list). */
function parseList(lines: string[]): Extract<Block, { t: 'list' }> {
  const indent = (l: string) => l.length - l.trimStart().length;
  const base = indent(lines[0]!);
  const items: Array<{ inline: Inline[]; children: Block[] }> = [];
  let nested: string[] = [];
  const flush = () => {
    if (nested.length && items.length) items[items.length - 1]!.children.push(parseList(nested));
    nested = [];
  };
  for (const l of lines) {
    if (indent(l) <= base && /^\s*- /.test(l)) {
      flush();
      items.push({ inline: parseInline(l.trimStart().slice(2)), children: [] });
    } else if (/^\s*- /.test(l)) nested.push(l);
    else if (items.length) items[items.length - 1]!.inline.push({ t: 'text', v: ` ${l.trim()}` });
  }
  flush();
  return { t: 'list', items };
}

function cells(row: string): Inline[][] {
  const out: string[] = [];
  let cell = '';
  const body = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && body[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (c === '|') {
      out.push(cell);
      cell = '';
    } else cell += c;
  }
  out.push(cell);
  return out.map((c) => parseInline(c.trim()));
}

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  const re = /`([^`]*)`|\*\*(.+?)\*\*/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push({ t: 'text', v: text.slice(last, m.index) });
    out.push(m[1] !== undefined ? { t: 'code', v: m[1] } : { t: 'strong', v: m[2]! });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ t: 'text', v: text.slice(last) });
  return out;
}
