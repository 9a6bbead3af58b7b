/**
 * Two line-number systems meet here: the wire protocol and people count lines from 1, editors from 0.
 * Distinct names (and these two conversions) keep off-by-one errors out of the rest of the code.
 */

/** 1-based, as in the protocol's `ProbeSpec.line` and as shown to people. */
export type ProbeLine = number & { readonly __base?: 1 };
/** 0-based, as in `vscode.Position.line`. */
export type EditorLine = number & { readonly __base?: 0 };

export const toEditorLine = (line: ProbeLine): EditorLine => line - 1;
export const toProbeLine = (line: EditorLine): ProbeLine => line + 1;
