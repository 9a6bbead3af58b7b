import * as vscode from 'vscode';
import { RuntruthError } from '../../../backend/protocol';
import { probeDisplay } from '../../core/probeDisplay';
import { removeProbe as removeOnRelay } from '../../core/probeActions';
import { probeSummary } from '../../core/probeKinds';
import type { TrackedProbe } from '../../core/runtimeState';
import { findProbeDocument, probesOnLine } from '../editor/documentProbes';
import { resolveTarget } from '../input/probeTarget';
import type { Runtime } from '../runtime';
import { showUserError } from '../userErrors';

/** A probe id from any caller: a string, a tree node or hover link `{ probeId }`, else ask (among `which`). */
export async function probeIdFrom(rt: Runtime, arg: unknown, placeHolder: string, which: (p: TrackedProbe) => boolean = () => true): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && typeof (arg as { probeId?: unknown }).probeId === 'string') return (arg as { probeId: string }).probeId;
  const items = rt.state.probes().filter(which).map((p) => ({
    label: `${p.spec.file}:${p.spec.line}`,
    description: `${probeSummary(p.spec)} · ${probeDisplay(p, rt.state.services()).label}`,
    detail: `${p.spec.id} on ${p.spec.selector.service}`,
    probeId: p.spec.id,
  }));
  if (!items.length) {
    void vscode.window.showInformationMessage('Runtruth: there are no probes.');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true, matchOnDetail: true }))?.probeId;
}

/** Removes a probe on the relay; resolves true when it is gone. */
export async function removeProbe(rt: Runtime, arg?: unknown): Promise<boolean> {
  const probeId = await probeIdFrom(rt, arg, 'Remove which probe?');
  if (!probeId) return false;
  try {
    await removeOnRelay(rt.connection.session, rt.state, probeId);
  } catch (error) {
    if (!(error instanceof RuntruthError && error.code === 'not_found')) {
      void showUserError(error, rt.settings().relay);
      return false;
    }
    rt.state.removeProbe(probeId); // already gone on the relay (expired, or removed elsewhere)
  }
  rt.anchors.forget(probeId);
  return true;
}

/** From the line-number menu: removes every probe shown on that line. */
export async function removeProbesOnLine(rt: Runtime, arg?: unknown): Promise<number> {
  const target = await resolveTarget(arg);
  if (!target) return 0;
  let removed = 0;
  for (const probe of probesOnLine(target.document, target.line, rt.state, rt.anchors)) if (await removeProbe(rt, probe.spec.id)) removed++;
  if (!removed) void vscode.window.showInformationMessage('Runtruth: no probe on this line.');
  return removed;
}

/** Opens the file a probe belongs to at the line it is shown on. */
export async function revealProbe(rt: Runtime, arg?: unknown): Promise<void> {
  const probeId = await probeIdFrom(rt, arg, 'Go to which probe?');
  const probe = probeId ? rt.state.probe(probeId) : undefined;
  if (!probe) return;
  const uri = await findProbeDocument(probe);
  if (!uri) {
    void vscode.window.showWarningMessage(`Runtruth: no file in this workspace matches ${probe.spec.file}.`);
    return;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  const line = rt.anchors.lineOf(document, probe);
  const editor = await vscode.window.showTextDocument(document, { preview: true });
  const position = new vscode.Position(line, 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
