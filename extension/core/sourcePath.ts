/**
 * Probe files are matched by the agent against the *end* of the running script's path, at a path boundary
 * (`src/validate.js` matches `/srv/app/src/validate.js`). So the extension names a file by its path below the
 * project root that is deployed — the nearest folder with a package.json — which survives different checkout
 * locations on the developer's machine and on the server.
 */

/** Forward slashes only: probe files are compared as URL-ish suffixes whatever the editor's platform. */
export const normalise = (p: string): string => p.replace(/\\/g, '/');

/**
 * The path a probe should carry for `filePath`: relative to the nearest `packageRoots` entry that contains it,
 * else to the workspace folder, else the base name. Roots are absolute folder paths.
 */
export function probeFileFor(filePath: string, packageRoots: readonly string[], workspaceFolders: readonly string[]): string {
  const file = normalise(filePath);
  const containing = (roots: readonly string[]) =>
    roots
      .map((r) => normalise(r).replace(/\/+$/, ''))
      .filter((r) => file.startsWith(r + '/'))
      .sort((a, b) => b.length - a.length)[0];
  const root = containing(packageRoots) ?? containing(workspaceFolders);
  return root ? file.slice(root.length + 1) : file.slice(file.lastIndexOf('/') + 1);
}

/** Whether a probe's `file` names the document at `filePath` (the same suffix rule the agent applies). */
export function probeFileMatches(probeFile: string, filePath: string): boolean {
  const suffix = normalise(probeFile).replace(/^\.?\/+/, '');
  const file = normalise(filePath);
  return file === suffix || file.endsWith('/' + suffix);
}

/** The folders from `filePath`'s directory up to (and including) `stopAt`, nearest first: where to look for package.json. */
export function ancestorFolders(filePath: string, stopAt: string): string[] {
  const file = normalise(filePath);
  const stop = normalise(stopAt).replace(/\/+$/, '');
  const out: string[] = [];
  for (let dir = file.slice(0, file.lastIndexOf('/')); dir.length >= stop.length && dir.startsWith(stop); dir = dir.slice(0, dir.lastIndexOf('/'))) {
    out.push(dir);
    if (dir === stop) break;
  }
  return out;
}
