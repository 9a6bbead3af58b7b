import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { RelayClient } from '../../../backend/client/relayClient';
import type { TreeNode } from '../../../extension/core/treeModel';
import { addLogpoint, fixture, openValidateJs, runtruth, signedIn, until } from './helpers';

/** An admin connection of the test's own (not the extension's), to mint tokens and play the AI assistant. */
async function adminClient(): Promise<RelayClient> {
  return RelayClient.connect({ relay: fixture().relayUrl, token: fixture().adminToken, clientName: 'runtruth-test' });
}

async function signInAs(token: string, role: string): Promise<void> {
  assert.equal(await vscode.commands.executeCommand('runtruth.signIn', token), true, `signed in as ${role}`);
  const api = await runtruth();
  await until(`the ${role} identity`, () => api.connectionState().status === 'connected' && (api.connectionState() as { identity: { role: string } }).identity.role === role);
}

describe('probe actions: extend TTL, approve and reject AI proposals by role', function () {
  this.timeout(60_000);
  let admin: RelayClient;
  let uri: vscode.Uri;
  const cleanup: string[] = [];

  before(async () => {
    await signedIn();
    admin = await adminClient();
    uri = (await openValidateJs()).document.uri;
  });

  after(async () => {
    await signInAs(fixture().adminToken, 'admin');
    for (const id of cleanup) await admin.request('probe.remove', { probeId: id }).catch(() => undefined);
    await admin.close();
  });

  it('extends a probe’s TTL through the relay (which records the new expiry)', async () => {
    const api = await signedIn();
    const probeId = await addLogpoint(uri, 11, 'extend-test {order.currency}');
    cleanup.push(probeId);
    const before = Date.parse(api.probes().find((p) => p.spec.id === probeId)!.spec.expiresAt);
    const expiresAt = await vscode.commands.executeCommand<string | undefined>('runtruth.extendProbe', { probeId, ttl: '2h' });
    assert.ok(expiresAt, 'the extension resolved with the new expiry');
    assert.ok(Date.parse(expiresAt) - before > 100 * 60_000, `moved from ${new Date(before).toISOString()} to ${expiresAt}`);
    assert.equal(api.probes().find((p) => p.spec.id === probeId)!.spec.expiresAt, expiresAt);
    const { probes } = await admin.request('probe.list', {});
    assert.equal(probes.find((p) => p.probe.id === probeId)?.probe.expiresAt, expiresAt, 'the relay holds the new expiry');
    const refused = await vscode.commands.executeCommand('runtruth.extendProbe', { probeId, ttl: '30d' });
    assert.equal(refused, undefined, 'over the relay’s maximum TTL: refused with a message');
  });

  it('shows an AI proposal at once; a viewer cannot approve it (and is told why); an operator can', async () => {
    const api = await signedIn();
    const { secret: viewer } = await admin.request('token.create', { name: `viewer-${Date.now()}`, role: 'viewer' });
    const { secret: operator } = await admin.request('token.create', { name: `operator-${Date.now()}`, role: 'operator' });
    const proposal = await admin.request('probe.add', { probe: { kind: 'log', selector: { service: 'checkout' }, file: 'src/validate.js', line: 12, template: 'ai {amount}', ttlSeconds: 600 }, origin: 'ai' });
    cleanup.push(proposal.probe.id);
    assert.equal(proposal.state, 'proposed');
    await until('the pushed proposal in the editor', () => api.inspect.decorations(uri).some((d) => d.probeId === proposal.probe.id && d.state === 'proposed'));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    assert.deepEqual(
      lenses.filter((l) => l.command?.arguments?.[0] === proposal.probe.id).map((l) => l.command!.command),
      ['runtruth.openPanel', 'runtruth.approveProbe', 'runtruth.rejectProbe'],
    );

    await signInAs(viewer, 'viewer');
    await vscode.commands.executeCommand('runtruth.openPanel');
    const viewerReport = await until('the panel to render for the viewer', () => {
      const r = api.inspect.panel();
      return r?.probes.includes(proposal.probe.id) && r.actions && /viewer token: sign in with an operator token/.test(r.notice ?? '') && r;
    }, 30_000);
    assert.deepEqual(viewerReport.actions!.filter((a) => a.endsWith(proposal.probe.id)), [], 'no approve, reject or remove for a viewer');
    assert.equal(await vscode.commands.executeCommand('runtruth.approveProbe', proposal.probe.id), false);
    assert.equal((await admin.request('probe.list', {})).probes.find((p) => p.probe.id === proposal.probe.id)?.state, 'proposed', 'still waiting');

    await signInAs(operator, 'operator');
    const operatorReport = await until('the operator’s panel to offer approve and reject', () => {
      const r = api.inspect.panel();
      return r?.actions?.includes(`approve:${proposal.probe.id}`) && r;
    });
    assert.ok(operatorReport.actions!.includes(`reject:${proposal.probe.id}`));
    assert.equal(operatorReport.notice, undefined, 'nothing is withheld from an operator');
    assert.equal(await vscode.commands.executeCommand('runtruth.approveProbe', proposal.probe.id), true);
    const live = await admin.request('probe.list', {});
    const approved = live.probes.find((p) => p.probe.id === proposal.probe.id)!;
    assert.equal(approved.state, 'live');
    assert.match(approved.approval?.decidedBy ?? '', /^operator-/);
    await until('the approved probe to bind', () => api.inspect.decorations(uri).some((d) => d.probeId === proposal.probe.id && d.state === 'bound'));
  });

  it('an operator rejects a proposal: it leaves the editor and the relay records the decision', async () => {
    const api = await runtruth();
    const proposal = await admin.request('probe.add', { probe: { kind: 'snapshot', selector: { service: 'checkout' }, file: 'src/validate.js', line: 10 }, origin: 'ai' });
    cleanup.push(proposal.probe.id);
    await until('the proposal in the editor', () => api.probes().some((p) => p.spec.id === proposal.probe.id && p.proposed));
    assert.equal(await vscode.commands.executeCommand('runtruth.rejectProbe', { probeId: proposal.probe.id, reason: 'not now' }), true);
    assert.ok(!api.probes().some((p) => p.spec.id === proposal.probe.id));
    const { entries } = await admin.request('audit.query', { newest: true, limit: 50 });
    const rejected = entries.find((e) => e.action === 'probe.rejected' && e.target === proposal.probe.id);
    assert.equal((rejected?.details as { reason?: string } | undefined)?.reason, 'not now');
  });
});

describe('instances pushed by the relay', function () {
  this.timeout(60_000);
  const config = () => vscode.workspace.getConfiguration('runtruth');

  before(async () => {
    await signedIn();
    // the fallback poll every 5 minutes: anything sooner came from the relay's push
    await config().update('refreshSeconds', 300, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('runtruth.reconnect');
    const api = await runtruth();
    await until('reconnected', () => api.connectionState().status === 'connected');
  });

  after(async () => {
    await config().update('refreshSeconds', undefined, vscode.ConfigurationTarget.Global);
  });

  it('adds a new instance to the tree as it connects, lets the picker target it, and marks it offline as it leaves', async () => {
    const api = await signedIn();
    const live = () => {
      const service = api.inspect.tree().find((n) => n.kind === 'service' && n.label === 'checkout');
      return service ? service.children.filter((n): n is Extract<TreeNode, { kind: 'instance' }> => n.kind === 'instance' && n.connected).map((n) => n.label) : [];
    };
    const known = live();
    assert.equal(known.length, 1);
    const second = await fixture().startInstance();
    let added = '';
    try {
      const both = await until('the second instance in the tree', () => live().length === 2 && live());
      added = both.find((id) => !known.includes(id))!;
      assert.ok(added);

      // two live instances: the picker asks; choose the second entry (the first instance alone)
      const uri = (await openValidateJs()).document.uri;
      const placing = vscode.commands.executeCommand<string | undefined>('runtruth.addLogpoint', { uri, line: 11, template: 'picked {amount}', condition: '', limits: 'ttl 5m' });
      await new Promise((r) => setTimeout(r, 500)); // let the quick pick open
      await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      const probeId = await placing;
      assert.ok(probeId, 'placed after picking an instance');
      const spec = api.probes().find((p) => p.spec.id === probeId)!.spec;
      assert.equal(spec.selector.instances?.length, 1, JSON.stringify(spec.selector));
      assert.ok([...known, added].includes(spec.selector.instances![0]!));
      await vscode.commands.executeCommand('runtruth.removeProbe', probeId);
    } finally {
      await second.stop();
    }
    await until('the instance to show offline', () => live().length === 1 && !live().includes(added));
    const service = api.services().find((s) => s.service === 'checkout')!;
    assert.equal(service.instances.find((i) => i.instanceId === added)?.connected, false);
  });
});
