import assert from 'node:assert/strict';
import path from 'node:path';
import { blame } from '../../extension/core/assistant/git/blame';
import { addedLines, commitDiff, parseUnifiedDiff } from '../../extension/core/assistant/git/diff';
import { RepoFiles } from '../../extension/core/assistant/git/files';
import { commitInfo, listCommits } from '../../extension/core/assistant/git/log';
import { GitError, isAncestor, repoRoot, resolveCommit } from '../../extension/core/assistant/git/run';
import { buildRepo, type BuiltRepo } from '../../bench/assistant/repo';
import { tempDir } from '../support/tmp';

const NOW = new Date('2030-06-01T12:00:00Z');

/** A real repository: a base, then commits that modify, add, rename, delete, touch a binary and a spaced path. */
function history(dir: string): BuiltRepo {
  return buildRepo(
    dir,
    {
      'src/a.js': 'const x = 1;\nconst y = 2;\nmodule.exports = { x, y };\n',
      'src/old name.js': 'module.exports = "moved";\n',
      'docs/gone.md': '# gone\n',
    },
    [
      { subject: 'Change y', author: 'Ann One', hoursAgo: 30, edits: [{ file: 'src/a.js', find: 'const y = 2;', replace: 'const y = x + 1;\nconst z = y * 2;' }] },
      { subject: 'Move and drop', author: 'Bo Two', hoursAgo: 20, culprit: true, edits: [{ file: 'src/old name.js', remove: true }, { file: 'src/new name.js', content: 'module.exports = "moved";\n' }, { file: 'docs/gone.md', remove: true }] },
      { subject: 'Add an icon\n\nWith a body line.', author: 'Cy Three', hoursAgo: 10, edits: [{ file: 'assets/icon.bin', content: 'PNG\u0000\u0001\u0002binary' }] },
      { subject: 'Prepend a header', author: 'Di Four', hoursAgo: 5, edits: [{ file: 'src/a.js', find: 'const x = 1;', replace: "'use strict';\n// header\nconst x = 1;" }] },
    ],
    { baseHoursAgo: 100, now: NOW },
  );
}

describe('assistant git layer (real repositories)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let repo: BuiltRepo;
  before(() => {
    tmp = tempDir('runtruth-git-');
    repo = history(path.join(tmp.dir, 'repo'));
  });
  after(() => tmp.cleanup());

  it('lists commits between two refs and in a time window, newest first, with parsed metadata', async () => {
    const range = await listCommits(repo.dir, { from: repo.previous, to: repo.deployed });
    assert.deepEqual(range.map((c) => c.subject), ['Prepend a header', 'Add an icon', 'Move and drop', 'Change y']);
    assert.equal(range[1]!.body, 'With a body line.');
    assert.equal(range[0]!.author, 'Di Four');
    assert.equal(range[0]!.committedAt, new Date(NOW.getTime() - 5 * 3_600_000).toISOString());
    assert.deepEqual(range[3]!.parents, [repo.previous]);

    const window = await listCommits(repo.dir, { since: new Date(NOW.getTime() - 25 * 3_600_000), until: new Date(NOW.getTime() - 7 * 3_600_000) });
    assert.deepEqual(window.map((c) => c.subject), ['Add an icon', 'Move and drop']);
    const touchingA = await listCommits(repo.dir, { paths: ['src/a.js'] });
    assert.deepEqual(touchingA.map((c) => c.subject), ['Prepend a header', 'Change y', 'Initial import of the service']);
    assert.equal((await commitInfo(repo.dir, repo.culprit)).subject, 'Move and drop');
  });

  it('reads a commit as files and hunks with both sides numbered, and numstat counts', async () => {
    const [a] = await commitDiff(repo.dir, repo.commits[0]!.sha);
    assert.equal(a!.path, 'src/a.js');
    assert.equal(a!.status, 'modified');
    assert.deepEqual([a!.added, a!.removed], [2, 1]);
    assert.deepEqual(addedLines(a!).map((l) => [l.newLine, l.text]), [[2, 'const y = x + 1;'], [3, 'const z = y * 2;']]);
    const del = a!.hunks[0]!.lines.find((l) => l.kind === 'del')!;
    assert.deepEqual([del.oldLine, del.text], [2, 'const y = 2;']);

    const moved = await commitDiff(repo.dir, repo.culprit);
    const rename = moved.find((f) => f.status === 'renamed')!;
    assert.deepEqual([rename.oldPath, rename.path], ['src/old name.js', 'src/new name.js']);
    const gone = moved.find((f) => f.status === 'deleted')!;
    assert.equal(gone.path, 'docs/gone.md');
    assert.equal(gone.removed, 1);

    const [icon] = await commitDiff(repo.dir, repo.commits[2]!.sha);
    assert.deepEqual([icon!.path, icon!.status, icon!.binary], ['assets/icon.bin', 'added', true]);
    const root = await commitDiff(repo.dir, repo.previous);
    assert.deepEqual(root.map((f) => f.status), ['added', 'added', 'added']);
  });

  it('blames lines at a revision: later insertions shift lines but keep their introducing commit', async () => {
    const lines = await blame(repo.dir, 'src/a.js', { rev: repo.deployed });
    const by = (text: string) => lines.find((l) => l.text === text)!;
    assert.equal(by('const y = x + 1;').sha, repo.commits[0]!.sha);
    assert.equal(by('const y = x + 1;').line, 4, 'two header lines were prepended later');
    assert.equal(by('const y = x + 1;').originalLine, 2);
    assert.equal(by('const x = 1;').sha, repo.previous);
    assert.equal(by('// header').summary, 'Prepend a header');
    const two = await blame(repo.dir, 'src/a.js', { rev: repo.deployed, start: 4, end: 5 });
    assert.deepEqual(two.map((l) => l.line), [4, 5]);
    assert.equal(two[1]!.author, 'Ann One');
  });

  it('reads files as of a revision, resolves refs and ancestry, and reports git failures as GitError', async () => {
    const files = new RepoFiles(repo.dir, repo.commits[0]!.sha);
    assert.deepEqual(await files.list(), ['docs/gone.md', 'src/a.js', 'src/old name.js']);
    assert.match((await files.read('src/a.js'))!, /const z = y \* 2;/);
    assert.equal(await files.read('../outside.js'), undefined);
    assert.equal(await new RepoFiles(repo.dir, repo.deployed).read('assets/icon.bin'), undefined, 'binary files are not text');
    assert.equal(await resolveCommit(repo.dir, 'HEAD'), repo.deployed);
    assert.equal(await repoRoot(path.join(repo.dir, 'src')), await repoRoot(repo.dir));
    assert.equal(await isAncestor(repo.dir, repo.previous, repo.deployed), true);
    assert.equal(await isAncestor(repo.dir, repo.deployed, repo.previous), false);
    await assert.rejects(resolveCommit(repo.dir, 'no-such-branch'), GitError);
    await assert.rejects(resolveCommit(repo.dir, '--output=/tmp/x'), GitError);
    await assert.rejects(repoRoot(tmp.dir), (e: unknown) => e instanceof GitError && /not a git repository/i.test(e.message));
  });

  it('parses quoted paths and files without a trailing newline', () => {
    const files = parseUnifiedDiff(
      [
        'diff --git "a/sp\\303\\244ce dir/x\\ty.js" "b/sp\\303\\244ce dir/x\\ty.js"',
        'index 1111111..2222222 100644',
        '--- "a/sp\\303\\244ce dir/x\\ty.js"',
        '+++ "b/sp\\303\\244ce dir/x\\ty.js"',
        '@@ -1 +1,2 @@ function f() {',
        '-old',
        '\\ No newline at end of file',
        '+new',
        '+more',
        '',
      ].join('\n'),
    );
    assert.equal(files[0]!.path, 'späce dir/x\ty.js');
    assert.equal(files[0]!.hunks[0]!.section, 'function f() {');
    assert.deepEqual(files[0]!.hunks[0]!.lines.map((l) => [l.kind, l.text]), [['del', 'old'], ['add', 'new'], ['add', 'more']]);
  });
});
