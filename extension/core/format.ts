/** Display helpers shared by the editor, the tree and the panel. Pure, so every surface words things the same way. */

/** Cuts `text` to `max` characters on one line, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ⏎ ');
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, Math.max(1, max - 1))}…`;
}

/** `12:03:04.120` in local time: evidence streams are read by the second, the date is noise. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** `in 58 min`, `in 2 h`, `3 min ago`: for expiry and last-seen times. */
export function relativeTime(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const amount = abs < 60_000 ? `${Math.round(abs / 1000)} s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : abs < 172_800_000 ? `${Math.round(abs / 3_600_000)} h` : `${Math.round(abs / 86_400_000)} d`;
  return ms >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** `1 hit`, `12 hits`. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

/** The first 7 characters of a commit, as git shows it. */
export function shortCommit(commit: string | undefined): string | undefined {
  return commit?.slice(0, 7);
}
