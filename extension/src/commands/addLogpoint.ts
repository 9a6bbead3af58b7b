import * as vscode from 'vscode';
import type { Selector } from '../../../backend/protocol';
import { contentHash } from '../../core/contentHash';
import { newLogpoint } from '../../core/kinds/logpoint';
import { placeProbe } from '../../core/probeActions';
import { toProbeLine } from '../../core/positions';
import { suggestTemplate } from '../../core/suggestTemplate';
import { probeFileForDocument } from '../editor/sourceFile';
import { askLogpoint, type PresetAnswers } from '../input/logpointPrompts';
import { resolveTarget } from '../input/probeTarget';
import { pickTarget } from '../input/targetPicker';
import type { Runtime } from '../runtime';
import { showUserError } from '../userErrors';
import { watchFirstHit } from './firstHit';

/** Programmatic arguments (tests, walkthrough links): any answer given skips its question. */
interface AddLogpointArgs extends PresetAnswers {
  service?: string;
}

/**
 * `Runtruth: Add Logpoint…` from the line-number menu, the editor menu, the palette or the keybinding.
 * Resolves with the new probe's id, or undefined when cancelled or refused (the user has been told why).
 */
export async function addLogpoint(rt: Runtime, arg?: unknown): Promise<string | undefined> {
  const target = await resolveTarget(arg);
  if (!target) {
    void vscode.window.showWarningMessage('Runtruth: open the source file and put the cursor on the line to log, then run Add Logpoint again.');
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
  const preset = (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? arg : {}) as AddLogpointArgs;
  const settings = rt.settings();
  const where = `${document.uri.path.slice(document.uri.path.lastIndexOf('/') + 1)}:${toProbeLine(line)}`;
  const hashAtStart = contentHash(document.getText());
  try {
    const answers = await askLogpoint(where, suggestTemplate(document.lineAt(line).text), preset, settings.defaultLimits);
    if (!answers) return undefined;
    const selector: Selector | undefined = preset.service
      ? { service: preset.service }
      : await pickTarget(rt.state.services(), { service: settings.defaultService, labels: settings.defaultLabels }, `Add Logpoint at ${where}`);
    if (!selector) return undefined;
    const file = await probeFileForDocument(document);
    const probe = newLogpoint({ selector, file, line: toProbeLine(line), template: answers.template, ...(answers.condition ? { condition: answers.condition } : {}), limits: answers.limits });
    // The hash is of the text the user looked at when choosing the line (the protocol has no field for it yet).
    const view = await placeProbe(session, rt.state, probe, { documentUri: document.uri.toString(), line, contentHash: hashAtStart });
    rt.anchors.place(document, view.probe.id, line, hashAtStart);
    rt.channels.log(`placed ${view.probe.id} at ${file}:${toProbeLine(line)} on ${selector.service}`);
    void watchFirstHit(rt, view.probe.id, where);
    return view.probe.id;
  } catch (error) {
    void showUserError(error, settings.relay);
    return undefined;
  }
}
