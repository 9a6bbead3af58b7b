import * as vscode from 'vscode';
import { DISPLAY_STATES, type DisplayState } from '../../core/probeDisplay';

const RULER: Record<DisplayState, string> = {
  bound: 'editorInfo.foreground',
  partial: 'editorInfo.foreground',
  pending: 'editorWarning.foreground',
  error: 'editorError.foreground',
  expired: 'disabledForeground',
  proposed: 'charts.purple',
};

/** One gutter decoration type per probe state (icons in extension/media), created once and disposed with the extension. */
export function createGutterTypes(extensionUri: vscode.Uri): Map<DisplayState, vscode.TextEditorDecorationType> {
  return new Map(
    DISPLAY_STATES.map((state) => [
      state,
      vscode.window.createTextEditorDecorationType({
        gutterIconPath: vscode.Uri.joinPath(extensionUri, 'extension', 'media', `probe-${state}.svg`),
        gutterIconSize: '80%',
        overviewRulerColor: new vscode.ThemeColor(RULER[state]),
        overviewRulerLane: vscode.OverviewRulerLane.Left,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
    ]),
  );
}

/** The inline evidence after a probed line; its text is set per range. Colours are contributed theme colours. */
export function createInlineType(): vscode.TextEditorDecorationType {
  return vscode.window.createTextEditorDecorationType({
    after: {
      color: new vscode.ThemeColor('runtruth.inlineEvidenceForeground'),
      backgroundColor: new vscode.ThemeColor('runtruth.inlineEvidenceBackground'),
      margin: '0 0 0 2em',
      fontStyle: 'normal',
    },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
}
