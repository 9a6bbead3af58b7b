import fs from 'node:fs';
import path from 'node:path';

const SHA = /^[0-9a-f]{7,64}$/;

/**
 * The deployed commit, as far as this process can tell: RUNTRUTH_COMMIT or GIT_COMMIT, else the HEAD of the
 * nearest git repository at or above `cwd` (refs and packed-refs resolved, worktrees followed). Never throws.
 */
export function detectCommit(cwd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const value of [env.RUNTRUTH_COMMIT, env.GIT_COMMIT]) {
    const sha = value?.trim().toLowerCase();
    if (sha && SHA.test(sha)) return sha;
  }
  try {
    const gitDir = findGitDir(cwd);
    return gitDir ? readHead(gitDir) : undefined;
  } catch {
    return undefined;
  }
}

function findGitDir(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, '.git');
    const stat = fs.statSync(candidate, { throwIfNoEntry: false });
    if (stat?.isDirectory()) return candidate;
    if (stat?.isFile()) {
      // a worktree or submodule: ".git" is a file saying "gitdir: <path>"
      const m = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(candidate, 'utf8'));
      if (m) return path.resolve(dir, m[1]!.trim());
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function readHead(gitDir: string): string | undefined {
  const head = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
  if (!ref) return SHA.test(head) ? head : undefined;
  // a linked worktree keeps its HEAD locally but shares refs with the main repository ("commondir")
  const commonFile = path.join(gitDir, 'commondir');
  const common = fs.existsSync(commonFile) ? path.resolve(gitDir, fs.readFileSync(commonFile, 'utf8').trim()) : gitDir;
  for (const dir of new Set([gitDir, common])) {
    const loose = path.join(dir, ref);
    if (fs.existsSync(loose)) {
      const sha = fs.readFileSync(loose, 'utf8').trim();
      return SHA.test(sha) ? sha : undefined;
    }
    const packed = path.join(dir, 'packed-refs');
    if (fs.existsSync(packed)) {
      for (const line of fs.readFileSync(packed, 'utf8').split('\n')) {
        const [sha, name] = line.trim().split(/\s+/);
        if (name === ref && sha && SHA.test(sha)) return sha;
      }
    }
  }
  return undefined;
}
