import * as vscode from 'vscode';
import type { Disposable } from '../../core/emitter';
import { probeDisplay, type DisplayState } from '../../core/probeDisplay';
import type { RuntimeState } from '../../core/runtimeState';
import type { Settings } from '../settings';
import type { LineAnchors } from './anchors';
import { createGutterTypes, createInlineType } from './decorationTypes';
import { probesInDocument } from './documentProbes';
import { inlineText } from './inlineText';

/** What the decorator last drew in a document: for the extension API's `inspect` (and so for tests). */
export interface DrawnProbe {
  probeId: string;
  /** 0-based editor line. */
  line: number;
  state: DisplayState;
  inline?: string;
}

/** Draws gutter icons and inline evidence for every visible editor, re-drawing (debounced) when anything changes. */
export class Decorator implements Disposable {
  private readonly gutter: Map<DisplayState, vscode.TextEditorDecorationType>;
  private readonly inline = createInlineType();
  private readonly drawn = new Map<string, DrawnProbe[]>();
  private readonly subscriptions: { dispose(): void }[];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    extensionUri: vscode.Uri,
    private readonly state: RuntimeState,
    private readonly anchors: LineAnchors,
    private readonly settings: () => Settings,
  ) {
    this.gutter = createGutterTypes(extensionUri);
    this.subscriptions = [
      state.onDidChange(() => this.schedule()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.drawAll()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('runtruth.inline') && this.drawAll()),
    ];
    this.drawAll();
  }

  /** Re-draws one document now (anchors moved under the user's typing: waiting would flicker). */
  redraw(document: vscode.TextDocument): void {
    for (const editor of vscode.window.visibleTextEditors) if (editor.document === document) this.draw(editor);
  }

  drawnIn(uri: string): DrawnProbe[] {
    return this.drawn.get(uri) ?? [];
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    for (const t of this.gutter.values()) t.dispose();
    this.inline.dispose();
  }

  private schedule(): void {
    // evidence can arrive hundreds of times a second; one redraw per frame-ish is plenty
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.drawAll();
    }, 30);
  }

  private drawAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.draw(editor);
  }

  private draw(editor: vscode.TextEditor): void {
    const settings = this.settings();
    const services = this.state.services();
    const byState = new Map<DisplayState, vscode.DecorationOptions[]>();
    const inline: vscode.DecorationOptions[] = [];
    const drawn: DrawnProbe[] = [];
    for (const { probe, line } of probesInDocument(editor.document, this.state, this.anchors)) {
      const display = probeDisplay(probe, services, this.state.evidence.count(probe.spec.id));
      const range = editor.document.lineAt(Math.min(line, editor.document.lineCount - 1)).range;
      byState.set(display.state, [...(byState.get(display.state) ?? []), { range }]);
      const entry: DrawnProbe = { probeId: probe.spec.id, line, state: display.state };
      if (settings.inlineEnabled) {
        const text = inlineText(probe, this.state, settings.inlineMaxLength, services);
        entry.inline = text.text;
        inline.push({
          range: new vscode.Range(range.end, range.end),
          renderOptions: { after: { contentText: text.text, ...(text.problem ? { color: new vscode.ThemeColor('runtruth.inlineErrorForeground') } : {}) } },
        });
      }
      drawn.push(entry);
    }
    // several probes on one line: the inline texts are joined by VS Code in range order, which is fine
    for (const [state, type] of this.gutter) editor.setDecorations(type, byState.get(state) ?? []);
    editor.setDecorations(this.inline, inline);
    this.drawn.set(editor.document.uri.toString(), drawn);
  }
}
