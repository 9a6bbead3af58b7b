import * as vscode from 'vscode';
import { formatDuration, parseDuration } from '../../core/limits';
import { probePermissions } from '../../core/permissions';
import { approveProbe as approveOnRelay, extendProbe as extendOnRelay, rejectProbe as rejectOnRelay } from '../../core/probeActions';
import type { Runtime } from '../runtime';
import { showUserError } from '../userErrors';
import { probeIdFrom } from './probeCommands';

const EXTEND_CHOICES = ['15m', '1h', '4h', '1d'];

/** Programmatic form: `{ probeId, ttl: '2h' }` skips the question. */
interface ExtendArgs {
  probeId?: string;
  ttl?: string;
}

/** The session to change probes with, or undefined after telling the user why not (viewer, AI token, offline). */
function sessionForDecisions(rt: Runtime) {
  const session = rt.connection.session;
  const permissions = probePermissions(session?.identity);
  if (!session || !permissions.decide) {
    void vscode.window.showWarningMessage(`Runtruth: ${permissions.why ?? 'not connected to the relay.'}`, 'Sign in').then((picked) => picked && vscode.commands.executeCommand('runtruth.signIn'));
    return undefined;
  }
  return session;
}

/** `Runtruth: Extend Probe TTL…`: the probe lives the chosen time from now. Resolves with the new expiry, or undefined. */
export async function extendProbe(rt: Runtime, arg?: unknown): Promise<string | undefined> {
  const session = sessionForDecisions(rt);
  if (!session) return undefined;
  const preset = (arg && typeof arg === 'object' ? arg : {}) as ExtendArgs;
  const probeId = await probeIdFrom(rt, typeof arg === 'string' ? arg : preset.probeId ?? arg, 'Extend which probe?', (p) => !p.expired && !p.proposed);
  if (!probeId) return undefined;
  const ttl = preset.ttl ?? (await askTtl(rt));
  if (ttl === undefined) return undefined;
  const seconds = parseDuration(ttl);
  if (seconds === undefined) {
    void vscode.window.showErrorMessage(`Runtruth: "${ttl}" is not a duration like 15m, 2h or 1d.`);
    return undefined;
  }
  try {
    const view = await extendOnRelay(session, rt.state, probeId, seconds);
    rt.channels.log(`extended ${probeId}: expires ${view.probe.expiresAt}`);
    return view.probe.expiresAt;
  } catch (error) {
    void showUserError(error, rt.settings().relay);
    return undefined;
  }
}

async function askTtl(rt: Runtime): Promise<string | undefined> {
  const items = [...EXTEND_CHOICES.map((d) => ({ label: d, description: 'from now' })), { label: 'Other…', description: 'type a duration' }];
  const picked = await vscode.window.showQuickPick(items, { title: 'Runtruth: keep the probe for', placeHolder: `It will live this long from now (default probes live ${formatDuration(rt.settings().defaultLimits.ttlSeconds)})` });
  if (!picked) return undefined;
  if (picked.label !== 'Other…') return picked.label;
  return vscode.window.showInputBox({
    title: 'Runtruth: keep the probe for',
    prompt: 'A duration like 90s, 15m, 2h or 1d (the relay’s policy sets the maximum)',
    validateInput: (t) => (parseDuration(t) === undefined ? 'A duration like 90s, 15m, 2h or 1d' : undefined),
  });
}

/** `Runtruth: Approve AI Proposal`: the proposed probe goes live (its TTL starts now). Resolves true when approved. */
export async function approveProposal(rt: Runtime, arg?: unknown): Promise<boolean> {
  const session = sessionForDecisions(rt);
  if (!session) return false;
  const probeId = await probeIdFrom(rt, arg, 'Approve which AI proposal?', (p) => p.proposed);
  if (!probeId) return false;
  try {
    await approveOnRelay(session, rt.state, probeId);
    return true;
  } catch (error) {
    void showUserError(error, rt.settings().relay);
    return false;
  }
}

/** `Runtruth: Reject AI Proposal`: turns it down (with an optional reason for the audit log). */
export async function rejectProposal(rt: Runtime, arg?: unknown): Promise<boolean> {
  const session = sessionForDecisions(rt);
  if (!session) return false;
  const preset = (arg && typeof arg === 'object' ? arg : {}) as { probeId?: string; reason?: string };
  const probeId = await probeIdFrom(rt, arg, 'Reject which AI proposal?', (p) => p.proposed);
  if (!probeId) return false;
  const reason = preset.reason ?? (typeof arg === 'string' || preset.probeId ? '' : await vscode.window.showInputBox({ title: 'Runtruth: reject the proposal', prompt: 'Optional: why (kept in the audit log)' }));
  if (reason === undefined) return false;
  try {
    await rejectOnRelay(session, rt.state, probeId, reason.trim() || undefined);
    rt.anchors.forget(probeId);
    return true;
  } catch (error) {
    void showUserError(error, rt.settings().relay);
    return false;
  }
}
