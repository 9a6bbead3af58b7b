import * as vscode from 'vscode';
import { RepoFiles } from '../../core/assistant/git/files';

/**
 * Read-only documents of a file at a commit (`git show rev:path`), for the left side of the review diff:
 * `runtruth-deployed:/src/pricing.js?repo=/abs/repo&rev=<sha>`.
 */
export class DeployedContentProvider implements vscode.TextDocumentContentProvider {
  static readonly scheme = 'runtruth-deployed';
  private readonly files = new Map<string, RepoFiles>();

  static uri(repo: string, rev: string, file: string): vscode.Uri {
    return vscode.Uri.from({ scheme: DeployedContentProvider.scheme, path: `/${file}`, query: new URLSearchParams({ repo, rev }).toString() });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = new URLSearchParams(uri.query);
    const repo = q.get('repo') ?? '';
    const rev = q.get('rev') ?? '';
    const key = `${repo}\0${rev}`;
    let files = this.files.get(key);
    if (!files) this.files.set(key, (files = new RepoFiles(repo, rev)));
    const text = await files.read(uri.path.replace(/^\//, ''));
    return text ?? `// ${uri.path.slice(1)} does not exist at ${rev.slice(0, 8)}\n`;
  }
}
