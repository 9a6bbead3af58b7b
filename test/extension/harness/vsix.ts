import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../support/proc';

/**
 * Packages the built extension as a VSIX with @vscode/vsce (offline: the manifest has a repository and the repo a
 * LICENSE; dependencies are bundled, so --no-dependencies). Returns the file's path.
 */
export function packageVsix(outDir: string, log: (line: string) => void): string {
  const out = path.join(outDir, 'runtruth.vsix');
  fs.mkdirSync(outDir, { recursive: true });
  const vsce = path.join(ROOT, 'node_modules/@vscode/vsce/vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', out], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vsce package failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  log(`packaged ${path.relative(ROOT, out)} (${Math.round(fs.statSync(out).size / 1024)} KB)`);
  return out;
}
