import * as vscode from 'vscode';
import type { NewProbe, Selector } from '../../../backend/protocol';
import { contentHash } from '../../core/contentHash';
import { placeProbe } from '../../core/probeActions';
import { validateNewProbe, type ProbeInputCommon } from '../../core/probeInput';
import { toProbeLine, type EditorLine } from '../../core/positions';
import { probeFileForDocument } from '../editor/sourceFile';
import { resolveTarget } from '../input/probeTarget';
import { pickTarget } from '../input/targetPicker';
import type { Runtime } from '../runtime';
import { showUserError } from '../userErrors';
import { watchFirstHit } from './firstHit';

/** Programmatic arguments every add command takes besides the kind's own answers (tests, walkthrough links). */
export interface TargetPreset {
  service?: string;
  /** With `service`: only these instance ids. */
  instances?: string[];
}

export interface PlacementSite {
  document: vscode.TextDocument;
  line: EditorLine;
  /** `validate.js:13`, for titles. */
  where: string;
}

export interface PlacementKind<A> {
  /** 'Logpoint', for titles and messages. */
  label: string;
  /** Asks the kind's questions (preset answers skip theirs); undefined when the user cancelled. */
  ask(site: PlacementSite, preset: Record<string, unknown>): Promise<A | undefined>;
  /** The kind's `probe.add` payload from the answers and the common fields. */
  build(answers: A, common: Omit<ProbeInputCommon, 'limits' | 'condition'>): NewProbe;
}

/**
 * The one way a probe is placed from the editor, whatever its kind: where (line-number menu, editor menu,
 * palette/keybinding, or `{ uri, line }`), the kind's questions, which instances, then the protocol's own schema
 * check before anything is sent. The document's content hash goes with the probe. Resolves with the new probe's
 * id, or undefined when cancelled or refused (the user has been told why).
 */
export async function placeFromEditor<A>(rt: Runtime, arg: unknown, kind: PlacementKind<A>): Promise<string | undefined> {
  const target = await resolveTarget(arg);
  if (!target) {
    void vscode.window.showWarningMessage(`Runtruth: open the source file and put the cursor on the line, then run Add ${kind.label} again.`);
    return undefined;
  }
  let session;
  try {
    session = rt.connection.requireSession();
  } catch (error) {
    void showUserError(error, rt.settings().relay);
    return undefined;
  }
  const { document, line } = target;
  const preset = (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? arg : {}) as Record<string, unknown> & TargetPreset;
  const settings = rt.settings();
  const where = `${document.uri.path.slice(document.uri.path.lastIndexOf('/') + 1)}:${toProbeLine(line)}`;
  // the text the user looked at when choosing the line: what the deployed file must match
  const hash = contentHash(document.getText());
  try {
    const answers = await kind.ask({ document, line, where }, preset);
    if (answers === undefined) return undefined;
    const selector: Selector | undefined = preset.service
      ? { service: preset.service, ...(preset.instances?.length ? { instances: preset.instances } : {}) }
      : await pickTarget(rt.state.services(), { service: settings.defaultService, labels: settings.defaultLabels }, `Add ${kind.label} at ${where}`);
    if (!selector) return undefined;
    const file = await probeFileForDocument(document);
    const checked = validateNewProbe(kind.build(answers, { selector, file, line: toProbeLine(line), contentHash: hash }));
    if (!checked.ok) throw new Error(`the ${kind.label.toLowerCase()} is not valid: ${checked.problem}`);
    const view = await placeProbe(session, rt.state, checked.probe, { documentUri: document.uri.toString(), line, contentHash: hash });
    rt.anchors.place(document, view.probe.id, line, hash);
    rt.channels.log(`placed ${view.probe.kind} ${view.probe.id} at ${file}:${toProbeLine(line)} on ${selector.service}`);
    void watchFirstHit(rt, view.probe.id, `${kind.label.toLowerCase()} at ${where}`);
    return view.probe.id;
  } catch (error) {
    void showUserError(error, settings.relay);
    return undefined;
  }
}
