import * as vscode from 'vscode';
import { counterLabel, findingShort, hunkLabel } from '../../core/review/labels';
import type { Finding, LineCounter, ReviewHunk } from '../../core/review/schema';
import type { ReviewController } from './reviewController';

export type ReviewNode =
  | { kind: 'hunk'; hunk: ReviewHunk }
  | { kind: 'finding'; hunk: ReviewHunk; finding: Finding }
  | { kind: 'counter'; hunk: ReviewHunk; counter: LineCounter }
  | { kind: 'note'; hunk: ReviewHunk; text: string };

/** The Review view: the last review's hunks with their live hit rates; findings, counters and notes below each. */
export class ReviewTreeProvider implements vscode.TreeDataProvider<ReviewNode>, vscode.Disposable {
  static readonly viewId = 'runtruth.review';
  private readonly changes = new vscode.EventEmitter<ReviewNode | undefined>();
  readonly onDidChangeTreeData = this.changes.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly controller: ReviewController) {
    this.subscription = controller.onDidChange(() => this.changes.fire(undefined));
  }

  getChildren(node?: ReviewNode): ReviewNode[] {
    if (!node) return (this.controller.report?.hunks ?? []).map((hunk) => ({ kind: 'hunk', hunk }));
    if (node.kind !== 'hunk') return [];
    const h = node.hunk;
    return [
      ...h.findings.map((finding) => ({ kind: 'finding' as const, hunk: h, finding })),
      ...h.counters.map((counter) => ({ kind: 'counter' as const, hunk: h, counter })),
      ...h.notes.map((text) => ({ kind: 'note' as const, hunk: h, text })),
    ];
  }

  getTreeItem(node: ReviewNode): vscode.TreeItem {
    const open = { command: 'runtruth.openReviewHunk', title: 'Open Diff', arguments: [node.hunk.id] };
    switch (node.kind) {
      case 'hunk': {
        const { label, description } = hunkLabel(node.hunk);
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
        const warnings = node.hunk.findings.some((f) => f.severity === 'warning');
        item.description = description;
        item.id = `review:${node.hunk.id}`;
        item.contextValue = 'runtruth.reviewHunk';
        item.iconPath = new vscode.ThemeIcon(warnings ? 'warning' : node.hunk.perMinute === undefined ? 'circle-slash' : 'pass');
        item.tooltip = new vscode.MarkdownString([`**${node.hunk.id}** \`${node.hunk.header}\``, ...node.hunk.findings.map((f) => `- ${f.message}`)].join('\n\n'));
        item.command = open;
        return item;
      }
      case 'finding': {
        const item = new vscode.TreeItem(findingShort(node.finding));
        item.tooltip = node.finding.message;
        item.iconPath = new vscode.ThemeIcon(node.finding.severity === 'warning' ? 'warning' : 'info');
        item.command = open;
        return item;
      }
      case 'counter': {
        const item = new vscode.TreeItem(counterLabel(node.counter));
        item.iconPath = new vscode.ThemeIcon('pulse');
        item.command = open;
        return item;
      }
      case 'note': {
        const item = new vscode.TreeItem(node.text);
        item.iconPath = new vscode.ThemeIcon('note');
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changes.dispose();
  }
}
