import path from 'node:path';
import type { RepoFiles } from '../git/files';
import { isProductionCode } from './search';

/** Which production files import which (relative imports only: packages are not ours to blame). */
export interface ModuleGraph {
  imports: Map<string, string[]>;
  importedBy: Map<string, string[]>;
}

const SPECIFIERS = /\brequire\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm;
const EXTENSIONS = ['', '.ts', '.tsx', '.js', '.mjs', '.cjs', '.jsx', '.mts', '.cts', '/index.ts', '/index.js'];

/** Builds the graph over at most `maxFiles` production files (in path order, so the result is deterministic). */
export async function moduleGraph(files: RepoFiles, maxFiles = 2000): Promise<ModuleGraph> {
  const all = (await files.list()).filter(isProductionCode).slice(0, maxFiles);
  const known = new Set(all);
  const imports = new Map<string, string[]>();
  const importedBy = new Map<string, string[]>();
  for (const file of all) {
    const text = (await files.read(file)) ?? '';
    const targets = new Set<string>();
    for (const m of text.matchAll(SPECIFIERS)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4]!;
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      // TS sources import './x.js' meaning './x.ts'
      const candidates = [base, base.replace(/\.js$/, '')];
      const hit = candidates.flatMap((c) => EXTENSIONS.map((e) => c + e)).find((c) => known.has(c));
      if (hit && hit !== file) targets.add(hit);
    }
    imports.set(file, [...targets].sort());
    for (const t of targets) importedBy.set(t, [...(importedBy.get(t) ?? []), file].sort());
  }
  return { imports, importedBy };
}

/**
 * The files a request for the seeds plausibly passes through: the seeds, what imports them (up to
 * `upDepth` levels: the callers), and what those callers and the seeds import directly (the steps before
 * and after). Each file maps to its distance from a seed (0 for the seeds).
 */
export function requestPath(graph: ModuleGraph, seeds: readonly string[], upDepth = 3): Map<string, number> {
  const distance = new Map<string, number>();
  const visit = (file: string, d: number) => {
    const old = distance.get(file);
    if (old === undefined || d < old) distance.set(file, d);
  };
  for (const s of seeds) visit(s, 0);
  let frontier = [...seeds];
  const callers: string[] = [];
  for (let level = 1; level <= upDepth; level++) {
    const next: string[] = [];
    for (const f of frontier) for (const caller of graph.importedBy.get(f) ?? []) if (!distance.has(caller)) {
      visit(caller, level);
      next.push(caller);
      callers.push(caller);
    }
    frontier = next;
  }
  for (const f of [...seeds, ...callers]) for (const dep of graph.imports.get(f) ?? []) visit(dep, (distance.get(f) ?? 0) + 1);
  return new Map([...distance].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])));
}
