import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { postJson } from '../support/http';
import { call, ok, waitFor, World, type Transport } from './helpers';

const TOOLS = ['get_evidence', 'get_proposal_status', 'list_probes', 'list_services', 'propose_logpoint', 'propose_metric', 'propose_snapshot', 'remove_probe'];
const ORDERS = [{ amount: 15000 }, { amount: '15,000' }, { amount: 120, currency: 'EUR' }];

/**
 * The MCP tools with the SDK's real client, over both transports, against a real relay and a real agent in the
 * checkout example: the same behaviour whether the assistant talks to the relay's /mcp or launches `runtruth mcp`.
 */
for (const transport of ['http', 'stdio'] as Transport[]) {
  describe(`MCP tools over ${transport === 'http' ? 'Streamable HTTP (relay /mcp)' : 'stdio (runtruth mcp)'}`, function () {
    this.timeout(60_000);
    const world = new World();
    let assistant: Client;
    let operatorName: string;

    before(async () => {
      await world.start();
      operatorName = `alice-${transport}`;
      assistant = await world.connect(transport, await world.token(operatorName, 'operator'));
    });
    after(() => world.dispose());

    const statusOf = async (probeId: string) => (await ok(assistant, 'get_proposal_status', { probeId })).text;
    const traffic = async () => {
      for (const o of ORDERS) await postJson(world.appPort, '/orders', o);
    };

    it('lists the tools with their input schemas', async () => {
      const { tools } = await assistant.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), TOOLS);
      const logpoint = tools.find((t) => t.name === 'propose_logpoint')!;
      assert.deepEqual([...(logpoint.inputSchema.required ?? [])].sort(), ['file', 'line', 'message', 'service']);
      const line = (logpoint.inputSchema.properties as Record<string, { type?: string; minimum?: number; description?: string }>).line!;
      assert.equal(line.type, 'integer');
      assert.equal(line.minimum, 1);
      assert.match(line.description ?? '', /1-based/);
      assert.ok(logpoint.outputSchema, 'propose tools declare their structured output');
      assert.equal(tools.find((t) => t.name === 'get_evidence')!.annotations?.readOnlyHint, true);
    });

    it('lists services with their instances, deployed commit and start time', async () => {
      const { text } = await ok(assistant, 'list_services');
      assert.match(text, /service checkout: 1 of 1 instance\(s\) connected/);
      assert.match(text, /commit abc1234def; started \d{4}-\d\d-\d\dT/);
      assert.match(text, new RegExp(`pid ${world.app.pid} `));
      assert.match((await ok(assistant, 'list_services', { service: 'nope' })).text, /No services/);
    });

    it('round trip: propose a logpoint → a person approves → get_evidence returns the live values', async () => {
      const proposed = await ok(assistant, 'propose_logpoint', { service: 'checkout', file: 'src/validate.js', line: 12, message: 'amount={amount} t={typeof amount}', ttl: '10m' });
      const probeId = proposed.structured?.probeId as string;
      assert.match(probeId, /^p-/);
      assert.equal(proposed.structured?.state, 'proposed');
      assert.match(proposed.text, /a person must approve it/);

      // nothing runs before approval
      await traffic();
      assert.match(await statusOf(probeId), /\[proposed\].*Waiting for a person to approve it/s);
      assert.match((await ok(assistant, 'get_evidence', { probeId })).text, /No evidence for p-/);
      assert.match((await ok(assistant, 'list_probes', { state: 'proposed' })).text, new RegExp(`${probeId} \\[proposed\\] checkout src/validate.js:12 log "amount=\\{amount\\} t=\\{typeof amount\\}"; proposed by ${operatorName}`));

      await world.admin.request('probe.approve', { probeId });
      await waitFor(async () => /instance .*: bound/.test(await statusOf(probeId)), 'the agent to bind the approved probe');
      assert.match(await statusOf(probeId), /decision: approved by admin/);

      let evidence = '';
      await waitFor(async () => {
        await traffic();
        evidence = (await ok(assistant, 'get_evidence', { probeId })).text;
        return evidence.includes('amount=15,000 t=string');
      }, 'logpoint evidence through get_evidence');
      assert.match(evidence, /^#\d+ \S+ \S+ amount=15000 t=number$/m);
      assert.match(evidence, /^#\d+ \S+ \S+ amount=120 t=number$/m);
      // hits of an earlier traffic round may still be on their way: the cursor is read once evidence stops growing
      const cursor = async () => Number(/next: (\d+)/.exec((await ok(assistant, 'get_evidence', { probeId })).text)?.[1]);
      let next = Number(/next: (\d+)/.exec(evidence)?.[1]);
      for (;;) {
        await new Promise((r) => setTimeout(r, 300));
        const settled = await cursor();
        if (settled === next) break;
        next = settled;
      }
      assert.ok(next > 0);
      // the cursor: nothing newer until more traffic
      assert.match((await ok(assistant, 'get_evidence', { probeId, since: next })).text, /No evidence for p-\S+ after #\d+ yet/);

      assert.match((await ok(assistant, 'remove_probe', { probeId })).text, new RegExp(`Removed ${probeId}`));
      await waitFor(async () => /\[removed\]/.test(await statusOf(probeId)), 'the session to learn the probe was removed');
      assert.match((await ok(assistant, 'remove_probe', { probeId })).text, /had already ended/);
    });

    it('returns snapshots as compact value trees and metrics as window summaries', async () => {
      const snap = await ok(assistant, 'propose_snapshot', { service: 'checkout', file: 'src/validate.js', line: 12, watches: ['typeof amount'], condition: "typeof amount === 'string'" });
      const metric = await ok(assistant, 'propose_metric', { service: 'checkout', file: 'src/validate.js', line: 12, metric: 'value', expression: 'order.amount', condition: "typeof order.amount === 'number'" });
      const [snapId, metricId] = [snap.structured?.probeId as string, metric.structured?.probeId as string];
      for (const probeId of [snapId, metricId]) await world.admin.request('probe.approve', { probeId });
      await waitFor(async () => /: bound/.test(await statusOf(snapId)) && /: bound/.test(await statusOf(metricId)), 'both probes to bind');

      let snapshot = '';
      let summary = '';
      await waitFor(async () => {
        await traffic();
        snapshot = (await ok(assistant, 'get_evidence', { probeId: snapId })).text;
        summary = (await ok(assistant, 'get_evidence', { probeId: metricId })).text;
        return snapshot.includes('snapshot') && /count=\d+/.test(summary);
      }, 'a snapshot and a metric window', 20_000);
      assert.match(snapshot, /^  #0 validate \S*validate\.js:12$/m, 'top frame in source positions');
      assert.match(snapshot, /^      amount: "15,000" \(string\)$/m, 'the local that broke the assumption, typed');
      assert.match(snapshot, /^      order: .*amount: "15,000"/m, 'objects as one-line trees');
      assert.match(snapshot, /^  watch typeof amount = "string"/m);
      // only numeric amounts reach the metric (15000 and 120 per round of traffic)
      assert.match(summary, /value count=\d+ min=120 p50=\S+ p95=\S+ p99=\S+ max=15000 mean=\S+ in [\d.]+s/);
      for (const probeId of [snapId, metricId]) await ok(assistant, 'remove_probe', { probeId });
    });

    it('reports a rejection and its reason to the model', async () => {
      const { structured } = await ok(assistant, 'propose_logpoint', { service: 'checkout', file: 'src/validate.js', line: 11, message: 'currency={currency}' });
      const probeId = structured?.probeId as string;
      await world.admin.request('probe.reject', { probeId, reason: 'reads customer data' });
      await waitFor(async () => /\[rejected\]/.test(await statusOf(probeId)), 'the rejection to reach the session');
      assert.match(await statusOf(probeId), /decision: rejected by admin .* — reason: reads customer data/);
    });

    it('surfaces bad inputs as tool errors with the wire code, and keeps serving', async () => {
      const lineZero = await call(assistant, 'propose_logpoint', { service: 'checkout', file: 'src/validate.js', line: 0, message: 'x' });
      assert.equal(lineZero.isError, true);
      assert.match(lineZero.text, /line/);
      assert.match(lineZero.text, />=\s?1/);

      const noFile = await call(assistant, 'propose_snapshot', { service: 'checkout', line: 12 });
      assert.equal(noFile.isError, true);
      assert.match(noFile.text, /file/);

      const unknownProbe = await call(assistant, 'get_proposal_status', { probeId: 'p-doesnotexist' });
      assert.equal(unknownProbe.isError, true);
      assert.match(unknownProbe.text, /^not_found: no open probe 'p-doesnotexist'/);
      const removeUnknown = await call(assistant, 'remove_probe', { probeId: 'p-doesnotexist' });
      assert.match(removeUnknown.text, /^not_found: no probe 'p-doesnotexist'/);

      const unknownService = await call(assistant, 'propose_logpoint', { service: 'billing', file: 'a.js', line: 3, message: 'x' });
      assert.equal(unknownService.isError, true);
      assert.match(unknownService.text, /^no_such_service: no such service 'billing' \(known: checkout\)/);

      const valueWithout = await call(assistant, 'propose_metric', { service: 'checkout', file: 'src/validate.js', line: 12, metric: 'value' });
      assert.equal(valueWithout.isError, true);
      assert.match(valueWithout.text, /expression/);

      const neither = await call(assistant, 'get_evidence', {});
      assert.match(neither.text, /^bad_message: give a probeId or a service/);

      // a file the service does not have: accepted as a proposal (agents only look once it is approved), then explained
      const { structured } = await ok(assistant, 'propose_logpoint', { service: 'checkout', file: 'src/missing.js', line: 3, message: 'x' });
      const probeId = structured?.probeId as string;
      await world.admin.request('probe.approve', { probeId });
      await waitFor(async () => /not_loaded: no loaded script matches/.test(await statusOf(probeId)), 'the agent to report the missing file');
      await ok(assistant, 'remove_probe', { probeId });

      assert.match((await ok(assistant, 'list_services')).text, /service checkout/);
    });

    it('refuses a viewer token\'s proposal as a tool error (forbidden), not a crash', async () => {
      const viewer = await world.connect(transport, await world.token(`val-${transport}`, 'viewer'), 'viewer-assistant');
      const refused = await call(viewer, 'propose_logpoint', { service: 'checkout', file: 'src/validate.js', line: 12, message: 'x' });
      assert.equal(refused.isError, true);
      assert.match(refused.text, /^forbidden: val-\S+ \(viewer\) may not call probe.add/);
      assert.match((await ok(viewer, 'list_probes')).text, /p-|No open probes/, 'the viewer session still works');
      const { probes } = await world.admin.request('probe.list', {});
      assert.ok(!probes.some((p) => p.probe.createdBy === `val-${transport}`), 'nothing was placed');
    });

    it('audits the MCP client as an AI actor', async () => {
      const { structured } = await ok(assistant, 'propose_logpoint', { service: 'checkout', file: 'src/validate.js', line: 13, message: 'ok' });
      const probeId = structured?.probeId as string;
      const { entries } = await world.admin.request('audit.query', { newest: true, limit: 500 });
      const proposed = entries.find((e) => e.action === 'probe.proposed' && e.target === probeId);
      assert.ok(proposed, 'the proposal is audited');
      assert.equal(proposed.actor, operatorName);
      assert.equal(proposed.origin, 'ai');
      assert.equal((proposed.details.approval as { origin: string }).origin, 'ai');
      const used = entries.find((e) => e.action === 'token.used' && e.actor === operatorName);
      assert.ok(used, 'the session start is audited');
      assert.match(String(used.details.client), /^mcp:test-assistant /);
      await ok(assistant, 'remove_probe', { probeId });
    });
  });
}
