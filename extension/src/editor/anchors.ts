import * as vscode from 'vscode';
import { contentHash } from '../../core/contentHash';
import type { Disposable } from '../../core/emitter';
import { shiftLineThrough } from '../../core/lineShift';
import { toEditorLine, type EditorLine } from '../../core/positions';
import type { TrackedProbe } from '../../core/runtimeState';

interface Anchor {
  line: EditorLine;
  /** The line's text after the last edit: lets a probe find its code again inside a large replacement. */
  text: string;
  /** When the document's text hashes to this again (undo, revert), the probe is back on `home`. */
  homeHash?: string;
  home?: EditorLine;
}

/**
 * Which editor line shows each probe. A probe starts at its placement line (or the line the relay has) and then
 * follows its code as the user edits above it, so gutter icons and inline values stay on the right line.
 * Anchors live as long as the document is open; reopening starts again from the probe's line.
 */
export class LineAnchors implements Disposable {
  private readonly byDocument = new Map<string, Map<string, Anchor>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly moved: (document: vscode.TextDocument) => void) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.byDocument.delete(d.uri.toString())),
    ];
  }

  lineOf(document: vscode.TextDocument, probe: TrackedProbe): EditorLine {
    const anchors = this.anchorsOf(document);
    let anchor = anchors.get(probe.spec.id);
    if (!anchor) {
      const placedHere = probe.placement?.documentUri === document.uri.toString() ? probe.placement : undefined;
      const line = clamp(placedHere ? placedHere.line : toEditorLine(probe.spec.line), document);
      anchor = { line, text: document.lineAt(line).text, ...(placedHere ? { homeHash: placedHere.contentHash, home: placedHere.line } : {}) };
      anchors.set(probe.spec.id, anchor);
    }
    return anchor.line;
  }

  /** Records where a probe was just placed in `document`, and the text it was placed on. */
  place(document: vscode.TextDocument, probeId: string, line: EditorLine, placedOnHash: string): void {
    this.anchorsOf(document).set(probeId, { line, text: document.lineAt(line).text, homeHash: placedOnHash, home: line });
  }

  forget(probeId: string): void {
    for (const anchors of this.byDocument.values()) anchors.delete(probeId);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  private anchorsOf(document: vscode.TextDocument): Map<string, Anchor> {
    const key = document.uri.toString();
    let anchors = this.byDocument.get(key);
    if (!anchors) this.byDocument.set(key, (anchors = new Map()));
    return anchors;
  }

  private onEdit(e: vscode.TextDocumentChangeEvent): void {
    const anchors = this.byDocument.get(e.document.uri.toString());
    if (!anchors?.size || !e.contentChanges.length) return;
    const edits = e.contentChanges.map((c) => ({
      startLine: c.range.start.line,
      startCharacter: c.range.start.character,
      endLine: c.range.end.line,
      endCharacter: c.range.end.character,
      text: c.text,
    }));
    const hash = [...anchors.values()].some((a) => a.homeHash) ? contentHash(e.document.getText()) : undefined;
    let changed = false;
    for (const anchor of anchors.values()) {
      const next = clamp(anchor.homeHash === hash && anchor.home !== undefined ? anchor.home : shiftLineThrough(anchor.line, edits, anchor.text), e.document);
      changed ||= next !== anchor.line;
      anchor.line = next;
      anchor.text = e.document.lineAt(next).text;
    }
    if (changed) this.moved(e.document);
  }
}

const clamp = (line: EditorLine, document: vscode.TextDocument): EditorLine => Math.max(0, Math.min(line, document.lineCount - 1));
