import type { EditorLine } from './positions';

/** One text edit in editor coordinates (0-based lines and characters), as `TextDocumentContentChangeEvent` gives it. */
export interface LineEdit {
  startLine: EditorLine;
  startCharacter: number;
  endLine: EditorLine;
  endCharacter: number;
  /** The replacement text. */
  text: string;
}

const newlines = (text: string) => text.split('\n').length - 1;

/**
 * Where the code that was on `line` is after `edit`, so a probe's decoration follows its line while the user
 * types above it. A line whose start was swallowed by a multi-line deletion lands where the deletion began.
 */
export function shiftLine(line: EditorLine, edit: LineEdit, lineText?: string): EditorLine {
  if (edit.startLine > line) return line; // edits below never move it
  const added = newlines(edit.text);
  const removed = edit.endLine - edit.startLine;
  if (edit.endLine < line) return line + added - removed; // wholly above: shift by the change in line count
  if (edit.startLine === line && edit.endLine === line) {
    // Inside the line itself: a line break typed at column 0 pushes the code down; anywhere else it stays put.
    return edit.startCharacter === 0 && added > 0 && edit.endCharacter === 0 ? line + added : line;
  }
  if (edit.startLine < line) {
    // The edit spans from above into this line. If it ends at column 0 of this line, the line survives intact.
    if (edit.endLine === line && edit.endCharacter === 0) return line + added - removed;
    // The start of our line was replaced (a paste over it, a reload from disk): find the same code in the
    // replacement if it is there, else stay where the replacement began.
    return edit.startLine + (findLine(edit.text, lineText, line - edit.startLine) ?? added);
  }
  // Starts on this line and reaches below: the line's beginning is untouched.
  return line;
}

/** The index of the replacement line that holds `lineText` (trimmed, non-empty), nearest to `near`. */
function findLine(replacement: string, lineText: string | undefined, near: number): number | undefined {
  const wanted = lineText?.trim();
  if (!wanted) return undefined;
  let best: number | undefined;
  replacement.split('\n').forEach((text, i) => {
    if (text.trim() === wanted && (best === undefined || Math.abs(i - near) < Math.abs(best - near))) best = i;
  });
  return best;
}

/** Applies edits in the order the editor reports them (each relative to the document after the previous one). */
export function shiftLineThrough(line: EditorLine, edits: readonly LineEdit[], lineText?: string): EditorLine {
  // VS Code reports a single change event's edits in reverse document order, each against the original text,
  // so applying them bottom-up is equivalent to applying them against the original.
  return [...edits].sort((a, b) => b.startLine - a.startLine || b.startCharacter - a.startCharacter).reduce((at, edit) => shiftLine(at, edit, lineText), line);
}
