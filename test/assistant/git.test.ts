import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { blame } from '../../extension/core/assistant/git/blame';
import { addedLines, commitDiff, parseUnifiedDiff } from '../../extension/core/assistant/git/diff';
import { RepoFiles } from '../../extension/core/assistant/git/files';
import { commitInfo, listCommits } from '../../extension/core/assistant/git/log';
import { checkedOut, configureGit, GitError, gitExecutable, isAncestor, repoRoot, resolveCommit } from '../../extension/core/assistant/git/run';
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

/**
 * The editor points the git layer at VS Code's git (`git.path`) and its open repositories: a real wrapper
 * script around git that records each invocation stands in for the configured executable.
 */
describe('assistant git layer with a configured git (the editor\'s)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let repo: BuiltRepo;
  let wrapper: string;
  let calls: string;
  const recorded = () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean) : []);

  before(() => {
    tmp = tempDir('runtruth-git-host-');
    repo = history(path.join(tmp.dir, 'repo'));
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    calls = path.join(tmp.dir, 'calls.log');
    wrapper = path.join(tmp.dir, 'tools', 'my-git');
    fs.mkdirSync(path.dirname(wrapper));
    fs.writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\t%s\\n' "$PWD" "$*" >> '${calls}'\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
  });
  after(() => tmp.cleanup());
  afterEach(() => fs.rmSync(calls, { force: true }));

  /** Runs `fn` with no git on PATH (an empty directory), as on a machine where only the editor knows git. */
  async function withoutGitOnPath<T>(fn: () => Promise<T>): Promise<T> {
    const saved = process.env.PATH;
    process.env.PATH = fs.mkdtempSync(path.join(tmp.dir, 'empty-path-'));
    try {
      return await fn();
    } finally {
      process.env.PATH = saved;
    }
  }

  it('runs every command with the configured executable, also where PATH has no git; restoring goes back to PATH', async () => {
    const expected = { commits: await listCommits(repo.dir), diff: await commitDiff(repo.dir, repo.culprit), lines: await blame(repo.dir, 'src/a.js'), root: await repoRoot(path.join(repo.dir, 'src')) };
    await withoutGitOnPath(() => assert.rejects(listCommits(repo.dir), (e: unknown) => e instanceof GitError && /git is not installed \(or not on PATH\)/.test(e.message)));

    const restore = configureGit({ executable: wrapper });
    try {
      assert.equal(await gitExecutable(), wrapper);
      const got = await withoutGitOnPath(async () => ({ commits: await listCommits(repo.dir), diff: await commitDiff(repo.dir, repo.culprit), lines: await blame(repo.dir, 'src/a.js'), root: await repoRoot(path.join(repo.dir, 'src')) }));
      assert.deepEqual(got, expected, 'the same answers as git on PATH gave');
    } finally {
      restore();
    }
    const invocations = recorded();
    const realRepo = fs.realpathSync(repo.dir);
    for (const [cwd, args] of invocations.map((l) => l.split('\t'))) {
      assert.ok(cwd === realRepo || cwd === path.join(realRepo, 'src'), `ran in the repository (${cwd})`);
      assert.match(args!, /^-c core\.quotepath=off -c color\.ui=never /);
    }
    const commands = invocations.map((l) => l.split('\t')[1]!.split(' ')[4]);
    assert.deepEqual(commands, ['log', 'show', 'show', 'blame', 'rev-parse'], 'each command went through the wrapper');

    assert.equal(await gitExecutable(), 'git');
    await listCommits(repo.dir);
    assert.equal(recorded().length, invocations.length, 'after restoring, git on PATH runs again');
  });

  it('finds the executable lazily (on the first command), and reports a missing or unfindable one as GitError', async () => {
    let asked = 0;
    const restore = configureGit({ executable: async () => (asked++, wrapper) });
    try {
      assert.equal(asked, 0, 'configuring asks nothing');
      assert.equal(await resolveCommit(repo.dir, 'HEAD'), repo.deployed);
      assert.equal(asked, 1);
      assert.equal(recorded().length, 1);
    } finally {
      restore();
    }
    const missing = path.join(tmp.dir, 'no-such-git');
    const restoreMissing = configureGit({ executable: missing });
    try {
      await assert.rejects(resolveCommit(repo.dir, 'HEAD'), (e: unknown) => e instanceof GitError && e.message === `git was not found at ${missing}`);
    } finally {
      restoreMissing();
    }
    const restoreFailing = configureGit({ executable: () => Promise.reject(new Error('git extension exploded')) });
    try {
      await assert.rejects(resolveCommit(repo.dir, 'HEAD'), (e: unknown) => e instanceof GitError && /cannot find git: git extension exploded/.test(e.message));
    } finally {
      restoreFailing();
    }
    assert.equal(await resolveCommit(repo.dir, 'HEAD'), repo.deployed, 'restored');
  });

  it('takes the repository root and HEAD from the host when it knows the repository, else asks git', async () => {
    const asked: string[] = [];
    const branch = execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: repo.dir, encoding: 'utf8' }).trim();
    const other = path.join(tmp.dir, 'other');
    const known = path.join(tmp.dir, 'known');
    const restore = configureGit({
      executable: wrapper,
      repository: async (dir) => {
        asked.push(dir);
        if (dir.startsWith(known)) return { root: known, branch: 'feature/x', commit: repo.culprit };
        if (dir.startsWith(other)) throw new Error('the host failed');
        return undefined;
      },
    });
    try {
      assert.equal(await repoRoot(path.join(known, 'src')), known, "the host's root, git not asked");
      assert.equal(await checkedOut(known), 'feature/x');
      assert.equal(recorded().length, 0);
      assert.equal(await repoRoot(path.join(repo.dir, 'src')), fs.realpathSync(repo.dir), 'unknown to the host: git answers');
      assert.equal(await checkedOut(repo.dir), branch);
      await assert.rejects(repoRoot(other), GitError, 'a failing host falls back to git (which says it is no repository)');
      assert.deepEqual(asked, [path.join(known, 'src'), known, path.join(repo.dir, 'src'), repo.dir, other]);
    } finally {
      restore();
    }
  });

  it('names the commit when HEAD is detached (the host knowing only the commit, or git)', async () => {
    const detached = path.join(tmp.dir, 'detached');
    execFileSync('git', ['clone', '--quiet', repo.dir, detached]);
    execFileSync('git', ['checkout', '--quiet', '--detach', repo.culprit], { cwd: detached });
    assert.equal(await checkedOut(detached), repo.culprit);
    const restore = configureGit({ repository: async () => ({ root: detached, commit: repo.previous }) });
    try {
      assert.equal(await checkedOut(detached), repo.previous);
    } finally {
      restore();
    }
  });
});
