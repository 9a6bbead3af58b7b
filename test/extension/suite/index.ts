import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

/**
 * extensionTestsPath entry: VS Code loads this module in the extension host and awaits `run()`; a rejection
 * is a failed run. Runs every `*.ext.js` beside it (named so the repository's plain `mocha` run skips them).
 */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.ext.js')).sort()) mocha.addFile(path.join(__dirname, file));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} extension test(s) failed`)) : resolve()));
  });
}
