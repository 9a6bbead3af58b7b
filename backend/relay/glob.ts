/**
 * File globs for the blocklist. `**` matches across directories, `*` and `?` within one path segment,
 * `{a,b}` either alternative. A pattern matches the whole path or any tail of it that starts at a `/`,
 * so `secrets/*.ts` blocks `/srv/app/src/secrets/keys.ts` as well as `secrets/keys.ts`.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slashAfter = glob[i + 2] === '/';
      source += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) source += '\\{';
      else {
        source += `(?:${glob.slice(i + 1, close).split(',').map(escape).join('|')})`;
        i = close;
      }
    } else source += escape(c);
  }
  const anchoredStart = glob.startsWith('/') ? '^' : '(?:^|/)';
  return new RegExp(`${anchoredStart}${source}$`);
}

function escape(text: string): string {
  return text.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
}

/** A path as people and agents spell it (file URL, Windows separators, ./relative) → `a/b/c.ts`. */
export function normalizePath(file: string): string {
  let p = file;
  if (p.startsWith('file://')) {
    p = p.slice('file://'.length);
    try {
      p = decodeURIComponent(p);
    } catch {
      // keep the raw spelling: it is only matched, never opened
    }
  }
  p = p.replace(/\\/g, '/').replace(/^[A-Za-z]:\//, '/');
  while (p.startsWith('./')) p = p.slice(2);
  return p.replace(/\/{2,}/g, '/');
}
