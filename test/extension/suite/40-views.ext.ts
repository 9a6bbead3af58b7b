import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeNode } from '../../../extension/core/treeModel';
import { addLogpoint, fixture, openValidateJs, signedIn, until } from './helpers';

describe('services tree and side panel', function () {
  this.timeout(60_000);
  let probeId = '';
  let uri: vscode.Uri;

  before(async () => {
    await signedIn();
    uri = (await openValidateJs()).document.uri;
    probeId = await addLogpoint(uri, 12, 'view-test {amount}');
  });

  after(async () => {
    if (probeId) await vscode.commands.executeCommand('runtruth.removeProbe', probeId);
  });

  it('lists services → instances (with pid and node version) → probes with their state', async () => {
    const api = await signedIn();
    const instance = api.services().find((s) => s.service === 'checkout')!.instances.find((i) => i.connected)!;
    const probeNode = await until('the probe bound in the tree', () => {
      const service = api.inspect.tree().find((n) => n.kind === 'service' && n.label === 'checkout');
      const inst = service?.children.find((n) => n.kind === 'instance' && n.label === instance.instanceId);
      return inst?.children.find((n): n is Extract<TreeNode, { kind: 'probe' }> => n.kind === 'probe' && n.probeId === probeId && n.state === 'bound');
    });
    assert.equal(probeNode.label, 'src/validate.js:12');
    const service = api.inspect.tree().find((n) => n.label === 'checkout')!;
    assert.match(service.kind === 'service' ? service.description : '', /^1\/1 live$/);
    const inst = service.children[0]!;
    assert.ok(inst.kind === 'instance' && inst.connected && inst.description.includes(`pid ${instance.pid}`) && inst.description.includes(`node ${instance.runtime.version}`), JSON.stringify(inst));
  });

  it('opens the side panel, which renders the probes, services and live evidence it is sent', async () => {
    const api = await signedIn();
    await vscode.commands.executeCommand('runtruth.openPanel');
    await until('the panel to render the probe and service', () => {
      const r = api.inspect.panel();
      return r && r.probes.includes(probeId) && r.services.includes('checkout');
    }, 30_000);
    await fixture().order(4242);
    const report = await until('the panel to show the new evidence', () => {
      const r = api.inspect.panel();
      return r?.newestEvidence === 'view-test 4242' && r;
    });
    assert.ok(report.evidence >= 1);
  });

  it('narrows the panel to one probe ("Open in panel" from a hover)', async () => {
    const api = await signedIn();
    const other = await addLogpoint(uri, 11, 'other {order.currency}');
    try {
      await fixture().order(7, 'EUR');
      await until('evidence of both probes', () => api.evidence(other).length > 0 && api.evidence(probeId).some((e) => e.kind === 'log' && e.message === 'view-test 7'));
      await vscode.commands.executeCommand('runtruth.openPanel', probeId);
      const report = await until('the panel filtered to the first probe', () => {
        const r = api.inspect.panel();
        return r?.newestEvidence === 'view-test 7' && r;
      });
      assert.ok(report.probes.includes(other), 'the probe list still shows every probe');
    } finally {
      await vscode.commands.executeCommand('runtruth.removeProbe', other);
    }
  });
});
