import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { addLogpoint, fixture, openValidateJs, signedIn, until } from './helpers';

describe('relay restarts', function () {
  this.timeout(90_000);

  it('reconnects on its own, keeps the probe and resumes the evidence stream', async () => {
    const api = await signedIn();
    const { document } = await openValidateJs();
    const probeId = await addLogpoint(document.uri, 12, 'after-restart {amount}');
    try {
      await fixture().order(1);
      await until('evidence before the restart', () => api.evidence(probeId).length === 1);

      const states: string[] = [];
      const sub = api.onDidChangeConnection((s) => states.push(s.status));
      await fixture().restartRelay();
      await until('connected again', () => api.connectionState().status === 'connected', 30_000);
      sub.dispose();
      assert.ok(states.includes('retrying'), `the connection was lost and retried (${states.join(' → ')})`);

      await fixture().order(2);
      await until('evidence after the restart', () => api.evidence(probeId).some((e) => e.kind === 'log' && e.message === 'after-restart 2'), 20_000);
      assert.deepEqual(api.evidence(probeId).map((e) => (e.kind === 'log' ? e.message : e.kind)), ['after-restart 1', 'after-restart 2'], 'nothing lost, nothing repeated');
      assert.ok(api.inspect.decorations(document.uri).some((d) => d.probeId === probeId && d.state === 'bound'));
    } finally {
      await vscode.commands.executeCommand('runtruth.removeProbe', probeId);
    }
  });
});
