import * as vscode from 'vscode';
import type { InvestigationView } from '../../../webview/views/investigationProtocol';
import { registerParticipant } from '../chat/participant';
import { registerTools } from '../chat/tools';
import type { Runtime } from '../runtime';
import { showUserError } from '../userErrors';
import { IncidentsTreeProvider } from './incidentsTree';
import { InvestigationController, type InvestigateArgs } from './investigationController';
import { registerModelKeys } from './modelKey';

/** What `runtruth.investigate` resolves with (for callers and tests): the outcome, not the whole result. */
export interface InvestigateOutcome {
  status: string;
  culprit?: string;
  topHypothesis?: string;
  report: string;
}

/**
 * The AI SRE in the editor: the Investigation tab's controller, its commands, the `@runtruth` chat participant
 * and the Language Model Tools. Chat APIs are used only where this VS Code has them.
 */
export function registerAssistant(rt: Runtime): vscode.Disposable[] {
  const controller = new InvestigationController(rt);
  const incidents = new IncidentsTreeProvider(rt);
  const fail = (error: unknown) => void showUserError(error, rt.settings().relay);
  async function run(args: InvestigateArgs): Promise<InvestigateOutcome> {
    const { result, report } = await controller.investigate(args);
    return { status: result.status, ...(result.culprit ? { culprit: result.culprit.sha } : {}), ...(result.scores[0] ? { topHypothesis: result.scores[0].hypothesisId } : {}), report } satisfies InvestigateOutcome;
  }
  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'runtruth.investigate': async (arg) => {
      try {
        const args = (arg && typeof arg === 'object' ? arg : {}) as InvestigateArgs;
        if (!args.question) {
          // from the palette: ask here, then follow it in the side panel
          const question = await vscode.window.showInputBox({ title: 'Runtruth: Investigate', prompt: 'What do you want to know about the running service?', placeHolder: 'Why are high-value trades no longer flagged since the last deploy?', ignoreFocusOut: true });
          if (!question) return undefined;
          args.question = question;
        }
        return await run(args);
      } catch (error) {
        fail(error);
        return undefined;
      }
    },
    // from the Incidents view (or a caller with the incident id; `overrides` e.g. repo or investigator)
    'runtruth.investigateIncident': async (incidentId, overrides) => {
      try {
        if (typeof incidentId !== 'string') throw new Error('Pick an incident in the Runtruth Incidents view to investigate it.');
        const fromAlert = await incidents.investigation(incidentId);
        return await run({ ...fromAlert, ...(overrides && typeof overrides === 'object' ? (overrides as InvestigateArgs) : {}) });
      } catch (error) {
        fail(error);
        return undefined;
      }
    },
    // not in the palette: the open incidents as the view lists them, for tests
    'runtruth.incidentItems': () => incidents.items(),
    'runtruth.approveProposal': (probeId) => decide(probeId, true),
    'runtruth.rejectProposal': (probeId) => decide(probeId, false),
    'runtruth.stopInvestigation': () => controller.runner.stop(),
    'runtruth.saveInvestigationReport': async (target) => {
      try {
        return await controller.saveReport(target instanceof vscode.Uri ? target : typeof target === 'string' ? vscode.Uri.file(target) : undefined);
      } catch (error) {
        fail(error);
        return undefined;
      }
    },
    // not in the palette: what the Investigation tab shows, for companion extensions and tests
    'runtruth.investigationView': (): InvestigationView => controller.view(),
  };
  async function decide(probeId: unknown, approve: boolean): Promise<boolean> {
    try {
      const id = typeof probeId === 'string' ? probeId : await pickProposal(controller.view(), approve);
      if (!id) return false;
      await controller.runner.decide(id, approve, 'rejected from VS Code');
      return true;
    } catch (error) {
      fail(error);
      return false;
    }
  }
  const disposables: vscode.Disposable[] = [controller, incidents, vscode.window.createTreeView(IncidentsTreeProvider.viewId, { treeDataProvider: incidents }), ...Object.entries(commands).map(([id, run]) => vscode.commands.registerCommand(id, run)), ...registerModelKeys(rt)];
  // the chat and tool APIs exist from VS Code 1.95 (chat participants) and 1.95 (tools); guard anyway for forks
  if (typeof vscode.chat?.createChatParticipant === 'function') disposables.push(registerParticipant(controller, rt.context.extensionUri));
  if (typeof vscode.lm?.registerTool === 'function') disposables.push(...registerTools(rt, controller));
  return disposables;
}

async function pickProposal(view: InvestigationView, approve: boolean): Promise<string | undefined> {
  const waiting = view.proposals.filter((p) => p.state === 'proposed');
  if (!waiting.length) {
    void vscode.window.showInformationMessage('Runtruth: no proposal is waiting for approval.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    waiting.map((p) => ({ label: p.location, description: `${p.kind}: ${p.expression}`, detail: p.reason, probeId: p.probeId })),
    { placeHolder: approve ? 'Approve which proposal?' : 'Reject which proposal?', matchOnDetail: true },
  );
  return picked?.probeId;
}
