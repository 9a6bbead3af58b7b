import assert from 'node:assert/strict';
import { ancestorFolders, probeFileFor, probeFileMatches } from '../../../extension/core/sourcePath';

describe('probe file paths (what the agent matches as a path suffix)', () => {
  it('names a file below its package root, else below the workspace folder', () => {
    assert.equal(probeFileFor('/w/repo/services/checkout/src/validate.js', ['/w/repo/services/checkout'], ['/w/repo']), 'src/validate.js');
    assert.equal(probeFileFor('/w/repo/examples/checkout/src/validate.js', [], ['/w/repo']), 'examples/checkout/src/validate.js');
    assert.equal(probeFileFor('/elsewhere/x.js', [], ['/w/repo']), 'x.js');
    assert.equal(probeFileFor('C:\\w\\repo\\src\\a.ts', [], ['C:\\w\\repo']), 'src/a.ts', 'Windows separators');
  });

  it('matches the agent rule: whole path segments at the end', () => {
    assert.ok(probeFileMatches('src/validate.js', '/srv/app/src/validate.js'));
    assert.ok(probeFileMatches('./src/validate.js', '/srv/app/src/validate.js'));
    assert.ok(!probeFileMatches('src/validate.js', '/srv/app/xsrc/validate.js'));
    assert.ok(!probeFileMatches('validate.js', '/srv/app/src/invalidate.js'));
  });

  it('lists the folders to look for package.json in, nearest first, not above the workspace', () => {
    assert.deepEqual(ancestorFolders('/w/repo/a/b/c.js', '/w/repo'), ['/w/repo/a/b', '/w/repo/a', '/w/repo']);
    assert.deepEqual(ancestorFolders('/w/repo/c.js', '/w/repo/'), ['/w/repo']);
  });
});
