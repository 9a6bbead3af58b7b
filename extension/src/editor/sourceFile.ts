import * as vscode from 'vscode';
import { ancestorFolders, probeFileFor } from '../../core/sourcePath';

/**
 * The file path a probe placed from `document` should carry: relative to the nearest package.json (the
 * deployed project root) inside the workspace folder, else to the workspace folder.
 */
export async function probeFileForDocument(document: vscode.TextDocument): Promise<string> {
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  const path = document.uri.path;
  if (!folder) return probeFileFor(path, [], []);
  const packageRoots: string[] = [];
  for (const dir of ancestorFolders(path, folder.uri.path)) {
    if (await exists(document.uri.with({ path: `${dir}/package.json` }))) {
      packageRoots.push(dir);
      break;
    }
  }
  return probeFileFor(path, packageRoots, [folder.uri.path]);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
