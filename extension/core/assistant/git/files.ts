import fs from 'node:fs/promises';
import path from 'node:path';
import { runGit } from './run';

/**
 * Reads tracked files as of a revision. With no revision (or the work tree's HEAD when it is clean) the
 * work tree is read directly; otherwise `git show rev:path`.
 */
export class RepoFiles {
  private readonly cache = new Map<string, Promise<string | undefined>>();
  private listing?: Promise<string[]>;

  constructor(
    readonly repo: string,
    /** The revision being investigated (what is deployed); undefined: the work tree. */
    readonly rev?: string,
  ) {}

  /** Tracked file paths (repo-relative, forward slashes). */
  list(): Promise<string[]> {
    this.listing ??= (this.rev
      ? runGit(this.repo, ['ls-tree', '-r', '-z', '--name-only', this.rev.startsWith('-') ? '--invalid-rev' : this.rev])
      : runGit(this.repo, ['ls-files', '-z'])
    ).then((out) => out.split('\0').filter(Boolean).sort());
    return this.listing;
  }

  /** The file's text, or undefined when it does not exist at the revision (or is not valid UTF-8 text). */
  read(file: string): Promise<string | undefined> {
    let hit = this.cache.get(file);
    if (!hit) {
      hit = this.load(file);
      this.cache.set(file, hit);
    }
    return hit;
  }

  private async load(file: string): Promise<string | undefined> {
    if (path.isAbsolute(file) || file.split('/').includes('..')) return undefined;
    try {
      const text = this.rev
        ? await runGit(this.repo, ['show', '--end-of-options', `${this.rev}:${file}`])
        : await fs.readFile(path.join(this.repo, file), 'utf8');
      return text.includes('\0') ? undefined : text;
    } catch {
      return undefined;
    }
  }
}
