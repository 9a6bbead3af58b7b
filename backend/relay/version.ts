import fs from 'node:fs';
import path from 'node:path';

/** The package version, found by walking up from this file (works from both the source tree and dist/). */
export function relayVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'runtruth' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here; keep walking
    }
    if (path.dirname(dir) === dir) return '0.0.0-unknown';
  }
}
