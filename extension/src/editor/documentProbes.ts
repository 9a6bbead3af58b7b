import * as vscode from 'vscode';
import { probeFileMatches } from '../../core/sourcePath';
import type { EditorLine } from '../../core/positions';
import type { RuntimeState, TrackedProbe } from '../../core/runtimeState';
import type { LineAnchors } from './anchors';

export interface ProbeAtLine {
  probe: TrackedProbe;
  line: EditorLine;
}

/**
 * The probes that belong to a document and the line each shows on. A probe belongs to the document it was
 * placed from, or else to any document whose path ends with the probe's file (the agent's matching rule).
 */
export function probesInDocument(document: vscode.TextDocument, state: RuntimeState, anchors: LineAnchors): ProbeAtLine[] {
  const uri = document.uri.toString();
  return state
    .probes()
    .filter((p) => (p.placement ? p.placement.documentUri === uri : probeFileMatches(p.spec.file, document.uri.path)))
    .map((probe) => ({ probe, line: anchors.lineOf(document, probe) }));
}

export function probesOnLine(document: vscode.TextDocument, line: EditorLine, state: RuntimeState, anchors: LineAnchors): TrackedProbe[] {
  return probesInDocument(document, state, anchors)
    .filter((p) => p.line === line)
    .map((p) => p.probe);
}

/** Opens the document a probe belongs to: where it was placed, else the first workspace file its path matches. */
export async function findProbeDocument(probe: TrackedProbe): Promise<vscode.Uri | undefined> {
  if (probe.placement) return vscode.Uri.parse(probe.placement.documentUri);
  const file = probe.spec.file.replace(/^\.?\/+/, '');
  const found = await vscode.workspace.findFiles(`**/${file}`, '**/node_modules/**', 20);
  return found.find((u) => probeFileMatches(probe.spec.file, u.path));
}
