import * as vscode from 'vscode';
import type { Runtime } from '../runtime';
import { openSettings } from '../settings';
import { addLogpoint } from './addLogpoint';
import { addMetric } from './addMetric';
import { addSnapshot } from './addSnapshot';
import { approveProposal, extendProbe, rejectProposal } from './lifecycleCommands';
import { removeProbe, removeProbesOnLine, revealProbe } from './probeCommands';
import { signIn, signOut } from './signIn';

/** Every command in package.json `contributes.commands`, bound to the runtime. Commands return results for callers. */
export function registerCommands(rt: Runtime): vscode.Disposable[] {
  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'runtruth.signIn': (token) => signIn(rt, token),
    'runtruth.signOut': () => signOut(rt),
    'runtruth.addLogpoint': (arg) => addLogpoint(rt, arg),
    'runtruth.addSnapshot': (arg) => addSnapshot(rt, arg),
    'runtruth.addMetric': (arg) => addMetric(rt, arg),
    'runtruth.extendProbe': (arg) => extendProbe(rt, arg),
    'runtruth.approveProbe': (arg) => approveProposal(rt, arg),
    'runtruth.rejectProbe': (arg) => rejectProposal(rt, arg),
    'runtruth.removeProbe': (arg) => removeProbe(rt, arg),
    'runtruth.removeProbesOnLine': (arg) => removeProbesOnLine(rt, arg),
    'runtruth.revealProbe': (arg) => revealProbe(rt, arg),
    'runtruth.openPanel': (probeId) => rt.panel.show(typeof probeId === 'string' ? probeId : undefined),
    'runtruth.reconnect': () => (rt.connection.state.status === 'signedOut' ? signIn(rt) : rt.connection.reconnect()),
    'runtruth.showLogpointOutput': () => rt.channels.logpoints.show(true),
    'runtruth.showLog': () => rt.channels.diagnostics.show(true),
    'runtruth.openSettings': () => openSettings(),
  };
  return Object.entries(commands).map(([id, run]) => vscode.commands.registerCommand(id, run));
}
