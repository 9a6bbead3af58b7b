import { pathToFileURL } from 'node:url';

/**
 * A V8 `urlRegex` that matches script URLs ending in `file` at a path boundary: "src/validate.js" matches
 * file:///srv/app/src/validate.js and /srv/app/src/validate.js, not /srv/app/mysrc/validate.js. Either slash
 * direction matches (Windows), and so does the percent-encoded spelling file:// URLs use for spaces etc.
 */
export function suffixUrlRegex(file: string): string {
  const suffix = normalizeProbeFile(file);
  const spellings = new Set([suffix, percentEncoded(suffix)]);
  const alternatives = [...spellings].map((s) => s.split('/').map(escapeRegex).join('[/\\\\]'));
  const body = alternatives.length === 1 ? alternatives[0]! : `(?:${alternatives.join('|')})`;
  return `(?:^|[/\\\\])${body}$`;
}

/** A V8 `urlRegex` that matches exactly one script URL. */
export function exactUrlRegex(url: string): string {
  return `^${escapeRegex(url)}$`;
}

/** The probe's file as a forward-slash path suffix without "./" or a file:// scheme. */
export function normalizeProbeFile(file: string): string {
  let f = file.trim();
  if (f.startsWith('file://')) f = decodeURIComponent(f.slice('file://'.length));
  f = f.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  return f.replace(/^\/+/, '');
}

function percentEncoded(suffix: string): string {
  try {
    return pathToFileURL(`/${suffix}`).pathname.slice(1);
  } catch {
    return suffix;
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
