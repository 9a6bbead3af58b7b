import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { ServiceView } from '../../backend/protocol';
import { incidentContext } from '../../extension/core/assistant/incidents';
import { trading } from '../../bench/assistant/scenarios/trading';
import { startWorld, type World } from '../../bench/assistant/world';
import { runCli } from '../support/proc';
import { alertmanagerBody, postAlert } from './helpers/alerts';

const services = (...names: string[]): ServiceView[] => names.map((service) => ({ service, instances: [] }));
const incident = {
  id: 'inc-4',
  title: 'High-value trades are not flagged',
  status: 'firing' as const,
  source: 'alertmanager' as const,
  labels: { alertname: 'HighValueNotFlagged', job: 'trading-api', app: 'trading' },
  annotations: {},
  summary: 'High-value trades are not flagged.',
  description: 'No trade above 50000 was flagged since the last deploy',
  startsAt: '2026-11-27T01:00:00.000Z',
  fingerprint: 'abc',
  receivedAt: '2026-11-27T01:00:01.000Z',
  updatedAt: '2026-11-27T01:00:01.000Z',
  deliveries: 1,
  reportedBy: 'alertmanager',
};

describe('assistant: an incident as investigation context', () => {
  it('asks the alert’s own words, picks the service a label names, and anchors the timeline at its start', () => {
    const c = incidentContext(incident, { services: services('billing', 'trading') });
    assert.equal(c.question, 'High-value trades are not flagged. No trade above 50000 was flagged since the last deploy?');
    assert.equal(c.service, 'trading', 'the app label names a service the relay knows (the job label does not)');
    assert.equal(c.incidentAt.toISOString(), '2026-11-27T01:00:00.000Z');
    assert.deepEqual(c.notes, []);
  });

  it('keeps a person’s question, and says so when the alert names no service the relay knows', () => {
    const c = incidentContext({ ...incident, labels: { job: 'payments' }, service: 'payments' }, { question: 'why are trades unflagged?', services: services('trading') });
    assert.equal(c.question, 'why are trades unflagged?');
    assert.equal(c.service, undefined);
    assert.match(c.notes[0]!, /names payments, which the relay does not know/);
  });
});

describe('assistant: runtruth incidents and investigate --incident against a live relay', function () {
  this.timeout(200_000);
  let world: World;
  let admin: string;
  let incidentId: string;
  const started = new Date(Date.now() - 60_000).toISOString();
  before(async () => {
    world = await startWorld(trading);
    admin = fs.readFileSync(world.relay.adminTokenFile, 'utf8').trim();
    const { secret } = await world.admin.request('token.create', { name: 'alertmanager', role: 'operator' });
    const body = alertmanagerBody([
      {
        status: 'firing',
        labels: { alertname: 'HighValueValidationFailing', service: 'trading', severity: 'page' },
        annotations: { summary: 'High-value trade validations are failing since the last deploy', description: 'High-value trades are booked without the high-value review flag' },
        startsAt: started,
        fingerprint: '5f1c0a9e2b7d4c11',
      },
    ]);
    const posted = await postAlert(world.relay.url, secret, body);
    assert.equal(posted.status, 202, JSON.stringify(posted.body));
    incidentId = posted.body.incidents[0].id;
  });
  after(() => world?.close());

  const cli = (...args: string[]) => runCli([...args, '--relay', world.relay.url, '--token', admin], { timeoutMs: 170_000 });

  it('lists and shows the incident', async () => {
    const list = await cli('incidents');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^${incidentId}  FIRING  trading  page  since ${started.replace(/\..*/, '')}.*High-value trade validations are failing`, 'm'));
    const show = await cli('incidents', 'show', incidentId, '--json');
    assert.equal(show.code, 0, show.stderr);
    const shown = JSON.parse(show.stdout);
    assert.deepEqual([shown.id, shown.service, shown.labels.alertname, shown.source], [incidentId, 'trading', 'HighValueValidationFailing', 'alertmanager']);
    const bad = await cli('incidents', 'show', 'nope');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /give the incident id/);
    const missing = await cli('incidents', 'show', 'inc-999');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no incident inc-999 \[not_found\]/);
  });

  it('investigates from the alert: its words are the question, its label the service, its start in the timeline', async () => {
    const r = await cli('investigate', '--incident', incidentId, '--repo', world.repo.dir, '--approve-low-risk', '--json', '--max-minutes', '2');
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
    const { result, report } = JSON.parse(r.stdout);
    assert.equal(result.question, 'High-value trade validations are failing since the last deploy. High-value trades are booked without the high-value review flag?');
    assert.equal(result.service, 'trading');
    assert.equal(result.culprit.sha, world.repo.culprit);
    const began = result.timeline.find((t: { what: string }) => t.what.startsWith(`incident ${incidentId} began`));
    assert.equal(began?.at, new Date(started).toISOString());
    assert.ok(report.includes(`incident ${incidentId} began`), 'the report’s timeline names the alert');
    // the culprit was committed before the alert fired: the recency factor is measured against the alert's start
    const top = result.scores[0];
    assert.ok(top.prior.some((i: { factor: string }) => i.factor === 'recency'));
  });

  it('resolves it by hand from the CLI, and connected clients hear of it', async () => {
    const heard = new Promise<string>((resolve) => world.person.onIncident((i) => i.id === incidentId && i.status === 'resolved' && resolve(i.resolvedBy ?? '')));
    const r = await cli('incidents', 'resolve', incidentId, '--reason', 'fixed by reverting the notional format');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await heard, 'admin');
    assert.match(r.stdout, /^status {7}resolved \(resolved by admin\)$/m);
    const open = await cli('incidents', '--status', 'firing');
    assert.equal(open.stdout.trim(), 'no incidents');
  });

  it('refuses --incident with an id that is not one, before contacting the relay', async () => {
    const r = await runCli(['investigate', '--incident', '12', '--relay', 'ws://127.0.0.1:9', '--token', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--incident takes an incident id like inc-3/);
  });
});
