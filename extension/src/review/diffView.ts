import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { runGit } from '../../core/assistant/git/run';
import { decorationText, rateText } from '../../core/review/labels';
import type { ReviewHunk, ReviewReport } from '../../core/review/schema';
import { DeployedContentProvider } from './deployedContent';

/** One inline text the diff shows (returned for callers and tests: decorations cannot be read back). */
export interface ReviewDecoration {
  side: 'deployed' | 'head';
  /** 1-based. */
  line: number;
  text: string;
}

export interface OpenedHunk {
  left: string;
  right: string;
  decorations: ReviewDecoration[];
}

/** Opens a hunk as a diff (deployed file ↔ the working file, or the head revision) with live numbers on its lines. */
export class ReviewDiff implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic', margin: '0 0 0 1em' },
  });

  async open(report: ReviewReport, repo: string, hunk: ReviewHunk): Promise<OpenedHunk> {
    const left = DeployedContentProvider.uri(repo, report.base, hunk.deployedFile ?? hunk.file);
    const right = await headUri(repo, report, hunk.file);
    const focus = Math.max(1, hunk.newStart) - 1;
    await vscode.commands.executeCommand('vscode.diff', left, right, `${hunk.file}: deployed ${report.base.slice(0, 8)} ↔ ${report.headRef}`, {
      preview: true,
      selection: new vscode.Range(focus, 0, focus, 0),
    });
    const decorations = decorationsFor(hunk);
    await this.apply(left, decorations.filter((d) => d.side === 'deployed'));
    await this.apply(right, decorations.filter((d) => d.side === 'head'));
    return { left: left.toString(), right: right.toString(), decorations };
  }

  private async apply(uri: vscode.Uri, decorations: ReviewDecoration[]): Promise<void> {
    // the diff editor shows its two sides a moment after the command resolves
    const deadline = Date.now() + 3000;
    let editor: vscode.TextEditor | undefined;
    while (!(editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString())) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    editor?.setDecorations(
      this.type,
      decorations.map((d) => ({ range: new vscode.Range(d.line - 1, 0, d.line - 1, 0), renderOptions: { after: { contentText: d.text } } })),
    );
  }

  dispose(): void {
    this.type.dispose();
  }
}

/** Inline texts: each counter on its deployed line, the hunk's summary on its first line in the head. */
export function decorationsFor(h: ReviewHunk): ReviewDecoration[] {
  const out: ReviewDecoration[] = h.counters.map((c) => ({ side: 'deployed', line: c.line, text: `  ◀ runtruth: ${c.perMinute === undefined ? c.problem ?? c.state : rateText(c.perMinute)}` }));
  const headLine = h.added[0]?.line ?? Math.max(1, h.newStart);
  out.push({ side: 'head', line: headLine, text: decorationText(h) });
  return out;
}

/** The working file when the head is what is checked out (what the reviewer edits), else the head revision. */
async function headUri(repo: string, report: ReviewReport, file: string): Promise<vscode.Uri> {
  const checkedOut = (await runGit(repo, ['rev-parse', 'HEAD']).catch(() => '')).trim();
  const working = path.join(repo, file);
  if (checkedOut === report.head && fs.existsSync(working)) return vscode.Uri.file(working);
  return DeployedContentProvider.uri(repo, report.head, file);
}
