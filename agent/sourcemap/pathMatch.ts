import { fileURLToPath } from 'node:url';

/**
 * Paths as segments for suffix matching. Script URLs (file://), source-map sources (`webpack://app/./src/x.ts`,
 * `../src/x.ts` resolved to file://) and probe files (`src/x.ts`, `C:\\app\\src\\x.ts`) all become
 * forward-slash paths without scheme, host or `./`.
 */
export function pathOf(urlOrPath: string): string {
  let p = urlOrPath.trim();
  if (p.startsWith('file://')) {
    try {
      p = fileURLToPath(p);
    } catch {
      p = decodeURIComponentSafe(p.slice('file://'.length));
    }
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) {
    p = p.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, ''); // webpack://app/src/x.ts → /src/x.ts
  }
  p = p.replace(/\\/g, '/').replace(/^[A-Za-z]:\//, '/');
  return p
    .split('/')
    .filter((s) => s !== '.' && s !== '')
    .join('/');
}

/** Whether the probe names an absolute path (an editor's full path, which may differ from the deployment's). */
export function isAbsoluteProbePath(file: string): boolean {
  return /^(\/|[A-Za-z]:[\\/]|file:\/\/)/.test(file.trim());
}

/**
 * How well `candidate` matches the probe's `file`, in trailing path segments that agree (at path boundaries:
 * `src/validate.ts` never matches `mysrc/validate.ts`). A relative probe path must match in full (0 otherwise);
 * an absolute one (an editor's checkout elsewhere) needs at least its file name, and longer matches win.
 */
export function matchScore(file: string, candidate: string): number {
  const want = pathOf(file).split('/');
  const have = pathOf(candidate).split('/');
  let n = 0;
  while (n < want.length && n < have.length && want[want.length - 1 - n] === have[have.length - 1 - n]) n++;
  if (n === 0) return 0;
  if (n === want.length) return n;
  return isAbsoluteProbePath(file) ? n : 0;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
