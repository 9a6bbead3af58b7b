import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../support/proc';

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}
const importsOf = (file: string) => [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm)].map((m) => m[1] ?? m[2]!);

/** The layering the style guide asks for, enforced here since the repo has no linter: vscode only at the edge. */
describe('extension layering', () => {
  it('extension/core never imports vscode (it is reused by the CLI and an MCP server)', () => {
    for (const file of sources('extension/core')) assert.ok(!importsOf(file).includes('vscode'), `${file} imports vscode`);
  });

  it('the webview imports neither vscode nor the extension host code; only its protocol is shared', () => {
    for (const file of sources('webview')) {
      for (const spec of importsOf(file)) {
        assert.notEqual(spec, 'vscode', `${file} imports vscode`);
        assert.ok(!spec.includes('extension/') && !spec.includes('backend/'), `${file} imports ${spec}`);
      }
    }
  });

  it('only webview/components/toolkit.ts knows about @vscode/webview-ui-toolkit (archived upstream)', () => {
    const users = sources('webview').filter((f) => importsOf(f).some((s) => s.startsWith('@vscode/webview-ui-toolkit')));
    assert.deepEqual(users, [path.join('webview', 'components', 'toolkit.ts')]);
  });
});
