import * as vscode from 'vscode';
import type { ReviewReport } from '../../core/review/schema';
import type { Runtime } from '../runtime';
import { showUserError } from '../userErrors';
import { DeployedContentProvider } from './deployedContent';
import { ReviewDiff, type OpenedHunk } from './diffView';
import { ReviewController, type ReviewArgs } from './reviewController';
import { ReviewTreeProvider, type ReviewNode } from './reviewTree';

/** What `runtruth.reviewItems` returns: the Review view's items as shown (for companion extensions and tests). */
export interface ReviewItemView {
  label: string;
  description?: string;
  children: string[];
}

/**
 * Runtime-aware PR review in the editor: the command, the Review view, the deployed-file documents the diff
 * compares against, and saving the report as Markdown.
 */
export function registerReview(rt: Runtime): vscode.Disposable[] {
  const controller = new ReviewController(rt);
  const tree = new ReviewTreeProvider(controller);
  const diff = new ReviewDiff();
  const fail = (error: unknown) => {
    if (!(error instanceof vscode.CancellationError)) void showUserError(error, rt.settings().relay);
    return undefined;
  };
  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'runtruth.reviewBranch': async (arg): Promise<ReviewReport | undefined> => {
      try {
        const report = await controller.run((arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? arg : {}) as ReviewArgs);
        if (report) void vscode.commands.executeCommand(`${ReviewTreeProvider.viewId}.focus`);
        return report;
      } catch (error) {
        return fail(error);
      }
    },
    'runtruth.openReviewHunk': async (id): Promise<OpenedHunk | undefined> => {
      try {
        const hunk = controller.report?.hunks.find((h) => h.id === id);
        if (!controller.report || !controller.repo || !hunk) throw new Error(`no hunk '${String(id)}' in the last review`);
        return await diff.open(controller.report, controller.repo, hunk);
      } catch (error) {
        return fail(error);
      }
    },
    'runtruth.saveReviewMarkdown': async (target): Promise<vscode.Uri | undefined> => {
      try {
        if (!controller.markdown) throw new Error('no review to save yet: run "Review Branch Against Live Behaviour" first');
        const uri =
          target instanceof vscode.Uri
            ? target
            : typeof target === 'string'
              ? vscode.Uri.file(target)
              : await vscode.window.showSaveDialog({ filters: { Markdown: ['md'] }, ...(controller.repo ? { defaultUri: vscode.Uri.file(`${controller.repo}/runtime-review.md`) } : {}) });
        if (!uri) return undefined;
        await vscode.workspace.fs.writeFile(uri, Buffer.from(controller.markdown, 'utf8'));
        return uri;
      } catch (error) {
        return fail(error);
      }
    },
    // not in the palette: the Review view's items as shown
    'runtruth.reviewItems': (): ReviewItemView[] => tree.getChildren().map((node) => itemView(tree, node)),
  };
  return [
    controller,
    tree,
    diff,
    vscode.window.createTreeView(ReviewTreeProvider.viewId, { treeDataProvider: tree }),
    vscode.workspace.registerTextDocumentContentProvider(DeployedContentProvider.scheme, new DeployedContentProvider()),
    ...Object.entries(commands).map(([id, run]) => vscode.commands.registerCommand(id, run)),
  ];
}

function itemView(tree: ReviewTreeProvider, node: ReviewNode): ReviewItemView {
  const item = tree.getTreeItem(node);
  const text = (i: vscode.TreeItem) => (typeof i.label === 'string' ? i.label : i.label?.label ?? '');
  return {
    label: text(item),
    ...(typeof item.description === 'string' ? { description: item.description } : {}),
    children: tree.getChildren(node).map((child) => text(tree.getTreeItem(child))),
  };
}
