import * as vscode from 'vscode';
import type { EditorLine } from '../../core/positions';

/** Where the user asked for a probe: a document and a 0-based line. */
export interface ProbeTarget {
  document: vscode.TextDocument;
  line: EditorLine;
}

/**
 * Commands reach us with different arguments depending on where they were invoked:
 *  - editor/lineNumber/context: `{ uri, lineNumber }` (1-based);
 *  - editor/context: the document's Uri;
 *  - palette / keybinding: nothing (use the active editor's cursor);
 *  - programmatic callers: `{ uri, line }` (1-based, as the protocol counts).
 */
export async function resolveTarget(arg: unknown): Promise<ProbeTarget | undefined> {
  const a = (arg ?? {}) as { uri?: unknown; lineNumber?: unknown; line?: unknown };
  const uri = arg instanceof vscode.Uri ? arg : a.uri instanceof vscode.Uri ? a.uri : typeof a.uri === 'string' ? vscode.Uri.parse(a.uri) : undefined;
  const oneBased = typeof a.lineNumber === 'number' ? a.lineNumber : typeof a.line === 'number' ? a.line : undefined;
  const active = vscode.window.activeTextEditor;
  if (uri && oneBased !== undefined) return { document: await vscode.workspace.openTextDocument(uri), line: oneBased - 1 };
  if (active && (!uri || active.document.uri.toString() === uri.toString())) return { document: active.document, line: active.selection.active.line };
  if (uri) return { document: await vscode.workspace.openTextDocument(uri), line: 0 };
  return undefined;
}
