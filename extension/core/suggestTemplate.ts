const KEYWORDS = new Set(
  ('break case catch class const continue debugger default delete do else export extends false finally for function if import in ' +
    'instanceof let new null return super switch this throw true try typeof undefined var void while with yield await async of static get set')
    .split(' '),
);

/**
 * A starting template for a logpoint on `lineText`: the variables the line reads, as `name={name}`. A name the
 * line declares is left out (it is not assigned yet when a logpoint on that line runs). Member chains are kept
 * (`order.amount`); calls are not (templates are read-only).
 */
export function suggestTemplate(lineText: string, max = 3): string {
  const code = lineText.replace(/\/\/.*$/, '').replace(/(['"`])(?:\\.|(?!\1).)*\1/g, '""');
  const declared = new Set([...code.matchAll(/\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)/g)].map((m) => m[1]));
  const names: string[] = [];
  for (const m of code.matchAll(/(?<![\w$.])([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(?![\w$.]|\s*\()/g)) {
    const name = m[1]!;
    const head = name.split('.')[0]!;
    if (KEYWORDS.has(head) || declared.has(head) || names.includes(name)) continue;
    const before = code.slice(0, m.index).trimEnd();
    const after = code.slice(m.index! + name.length).trimStart();
    if (/(?:^|[{,])$/.test(before) && after.startsWith(':') && before.length) continue; // an object key, not a read
    names.push(name);
    if (names.length === max) break;
  }
  return names.map((n) => `${n}={${n}}`).join(' ');
}
