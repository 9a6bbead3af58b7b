import assert from 'node:assert/strict';
import { Incident, MAX_INCIDENT_BODY_BYTES } from '../../backend/protocol';
import { alertmanagerBody, postAlert } from '../assistant/helpers/alerts';
import { Harness, type TestPeer } from './helpers';

const STARTED = '2026-11-27T01:12:03.884221573Z';

/** Alertmanager's firing group: two alerts, one naming the checkout service. */
const firing = () =>
  alertmanagerBody([
    {
      status: 'firing',
      labels: { alertname: 'HighValueTradesNotFlagged', service: 'checkout', severity: 'page', instance: '10.0.0.7:8080' },
      annotations: { summary: 'High-value trades are not flagged for review', description: 'No trade above 50000 was flagged in the last 15 minutes since the deploy' },
      startsAt: STARTED,
      fingerprint: 'a1b2c3d4e5f60718',
    },
    { status: 'firing', labels: { alertname: 'DiskFilling', job: 'node', severity: 'warning' }, startsAt: '2026-11-27T01:13:00+01:00', fingerprint: 'ffee000011112222' },
  ]);

describe('relay: incidents from the alert webhook', function () {
  this.timeout(30_000);
  let h: Harness;
  let admin: TestPeer;
  beforeEach(async () => {
    h = await Harness.start();
    admin = await h.client();
  });
  afterEach(() => h.close());

  const count = async () => (await admin.call('incidents.list', {})).incidents.length;

  it('keeps an Alertmanager v4 payload as incidents, dedupes repeats by fingerprint, closes them when resolved', async () => {
    const watcher = await h.clientAs('viewer');
    const operator = await h.mint({ name: 'alertmanager', role: 'operator' });

    const first = await postAlert(h.relay.url, operator, firing());
    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.deepEqual(first.body.incidents.map((i: { change: string }) => i.change), ['opened', 'opened']);
    const [checkoutId, diskId] = first.body.incidents.map((i: { id: string }) => i.id);

    const incident = await admin.call('incidents.get', { incidentId: checkoutId });
    Incident.parse(incident);
    assert.equal(incident.title, 'High-value trades are not flagged for review');
    assert.equal(incident.service, 'checkout');
    assert.equal(incident.severity, 'page');
    assert.equal(incident.status, 'firing');
    assert.equal(incident.source, 'alertmanager');
    assert.equal(incident.startsAt, '2026-11-27T01:12:03.884Z');
    assert.equal(incident.endsAt, undefined, "Alertmanager's zero endsAt means not ended");
    assert.equal(incident.description, 'No trade above 50000 was flagged in the last 15 minutes since the deploy');
    assert.equal(incident.labels.alertname, 'HighValueTradesNotFlagged');
    assert.equal(incident.reportedBy, 'alertmanager');
    const disk = await admin.call('incidents.get', { incidentId: diskId });
    assert.equal(disk.title, 'DiskFilling', 'no summary: the alert name');
    assert.equal(disk.service, 'node', 'the job label names the service when nothing better does');
    assert.equal(disk.startsAt, '2026-11-27T00:13:00.000Z');

    // the clients hear about it without polling
    const pushed = await watcher.next((m) => m.type === 'incident' && m.incident.id === checkoutId, 'incident event');
    assert.equal(pushed.incident.status, 'firing');

    // Alertmanager re-sends firing alerts every repeat interval: one incident, more deliveries
    const again = await postAlert(h.relay.url, operator, firing());
    assert.deepEqual(again.body.incidents.map((i: { id: string; change: string }) => [i.id, i.change]), [[checkoutId, 'repeated'], [diskId, 'repeated']]);
    assert.equal((await admin.call('incidents.get', { incidentId: checkoutId })).deliveries, 2);
    assert.equal(await count(), 2);

    const resolved = firing();
    resolved.status = 'resolved';
    resolved.alerts = [{ ...resolved.alerts[0]!, status: 'resolved', endsAt: '2026-11-27T02:00:00Z' }];
    const closing = await postAlert(h.relay.url, operator, resolved);
    assert.deepEqual(closing.body.incidents, [{ id: checkoutId, status: 'resolved', change: 'resolved' }]);
    const closed = await admin.call('incidents.get', { incidentId: checkoutId });
    assert.equal(closed.status, 'resolved');
    assert.equal(closed.endsAt, '2026-11-27T02:00:00.000Z');
    await watcher.next((m) => m.type === 'incident' && m.incident.id === checkoutId && m.incident.status === 'resolved', 'resolved event');
    assert.deepEqual((await admin.call('incidents.list', { status: 'firing' })).incidents.map((i) => i.id), [diskId]);

    // the same alert firing again later is a new incident, not the closed one reopened
    const refire = await postAlert(h.relay.url, operator, firing());
    assert.equal(refire.body.incidents[0].change, 'opened');
    assert.notEqual(refire.body.incidents[0].id, checkoutId);

    const { entries } = await admin.call('audit.query', { newest: true, limit: 1000 });
    const trail = entries.filter((e) => e.target === checkoutId).map((e) => [e.action, e.actor]);
    assert.deepEqual(trail, [['incident.opened', 'alertmanager'], ['incident.resolved', 'alertmanager']], 'state changes are audited, repeats are not');
  });

  it('takes the generic JSON shape, dedupes it, and a person can resolve an incident by hand', async () => {
    const body = { title: 'checkout 5xx above 2%', service: 'checkout', severity: 'page', startsAt: '2026-11-27T01:00:00Z', labels: { region: 'eu' } };
    const first = await postAlert(h.relay.url, h.adminToken, body);
    assert.equal(first.status, 202);
    const id = first.body.incidents[0].id;
    assert.equal((await postAlert(h.relay.url, h.adminToken, body)).body.incidents[0].change, 'repeated');
    const other = (await postAlert(h.relay.url, h.adminToken, { title: 'queue backlog' })).body.incidents[0].id;

    const incident = await admin.call('incidents.get', { incidentId: id });
    assert.deepEqual([incident.source, incident.service, incident.labels], ['generic', 'checkout', { region: 'eu', service: 'checkout' }]);
    assert.equal(incident.startsAt, '2026-11-27T01:00:00.000Z');

    const viaStatus = await postAlert(h.relay.url, h.adminToken, { ...body, status: 'resolved' });
    assert.deepEqual(viaStatus.body.incidents, [{ id, status: 'resolved', change: 'resolved' }]);

    const operator = await h.clientAs('operator');
    const byHand = await operator.call('incidents.resolve', { incidentId: other, reason: 'drained' });
    assert.equal(byHand.status, 'resolved');
    assert.match(byHand.resolvedBy!, /^operator-/);
    const twice = await operator.request('incidents.resolve', { incidentId: other });
    assert.equal(twice.ok ? 'ok' : twice.error.code, 'conflict');
    const missing = await operator.request('incidents.get', { incidentId: 'inc-999' });
    assert.equal(missing.ok ? 'ok' : missing.error.code, 'not_found');
    const viewer = await h.clientAs('viewer');
    const denied = await viewer.request('incidents.resolve', { incidentId: id });
    assert.equal(denied.ok ? 'ok' : denied.error.code, 'forbidden');
  });

  it('refuses what it cannot take with one typed error each, and stores nothing from a refused body', async () => {
    const operator = await h.mint({ name: 'pager', role: 'operator' });
    const viewer = await h.mint({ name: 'watcher', role: 'viewer' });
    const scoped = await h.mint({ name: 'billing-alerts', role: 'operator', scope: { services: ['billing'] } });
    const cases: [string, Promise<{ status: number; body: any }>, number, string, RegExp][] = [
      ['no token', postAlert(h.relay.url, undefined, { title: 'x' }), 401, 'unauthorized', /Authorization: Bearer/],
      ['unknown token', postAlert(h.relay.url, 'rt_tok_not-a-real-token', { title: 'x' }), 401, 'unauthorized', /unknown or revoked/],
      ['viewer', postAlert(h.relay.url, viewer, { title: 'x' }), 403, 'forbidden', /viewer\) may not report/],
      ['not JSON', postAlert(h.relay.url, operator, undefined, { raw: '{"title": ' }), 400, 'bad_message', /not JSON/],
      ['form post', postAlert(h.relay.url, operator, undefined, { raw: 'title=x', contentType: 'application/x-www-form-urlencoded' }), 400, 'bad_message', /application\/json/],
      ['no title', postAlert(h.relay.url, operator, { service: 'checkout' }), 400, 'bad_message', /title/],
      ['unknown field', postAlert(h.relay.url, operator, { title: 'x', sevrity: 'page' }), 400, 'bad_message', /sevrity/],
      ['bad time', postAlert(h.relay.url, operator, { title: 'x', startsAt: 'yesterday' }), 400, 'bad_message', /startsAt/],
      ['bad Alertmanager', postAlert(h.relay.url, operator, { ...firing(), alerts: [{ ...firing().alerts[0]!, fingerprint: undefined }] }), 400, 'bad_message', /Alertmanager v4.*alerts\.0\.fingerprint/],
      ['old Alertmanager', postAlert(h.relay.url, operator, { ...firing(), version: '3' }), 400, 'bad_message', /version/],
      ['too large', postAlert(h.relay.url, operator, { title: 'x', description: 'y'.repeat(MAX_INCIDENT_BODY_BYTES) }), 413, 'too_large', /limit/],
      ['outside its scope', postAlert(h.relay.url, scoped, firing()), 403, 'forbidden', /outside its scope/],
    ];
    for (const [what, reply, status, code, message] of cases) {
      const r = await reply;
      assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.ok, false, what);
      assert.equal(r.body.error.code, code, what);
      assert.match(r.body.error.message, message, what);
    }
    assert.equal(await count(), 0, 'nothing from a refused body was kept');
    // the scoped token may report about its own service
    assert.equal((await postAlert(h.relay.url, scoped, { title: 'invoices late', service: 'billing' })).status, 202);
    const { entries } = await admin.call('audit.query', { newest: true, limit: 1000 });
    assert.ok(entries.some((e) => e.action === 'auth.failed' && e.details.endpoint === 'incidents'));
    // the relay still serves after all that
    assert.equal((await fetch(h.relay.url.replace(/^ws/, 'http') + '/healthz')).status, 200);
  });

  it('keeps incidents across a restart, and a scoped token sees only its services', async () => {
    await postAlert(h.relay.url, h.adminToken, firing());
    await postAlert(h.relay.url, h.adminToken, { title: 'invoices late', service: 'billing' });
    await h.restart();
    admin = await h.client();
    const all = (await admin.call('incidents.list', {})).incidents;
    assert.deepEqual(all.map((i) => i.service), ['billing', 'node', 'checkout'], 'newest first');
    const scoped = await h.clientAs('viewer', { scope: { services: ['checkout'] } });
    assert.deepEqual((await scoped.call('incidents.list', {})).incidents.map((i) => i.service), ['checkout']);
    const billing = all.find((i) => i.service === 'billing')!;
    const hidden = await scoped.request('incidents.get', { incidentId: billing.id });
    assert.equal(hidden.ok ? 'ok' : hidden.error.code, 'forbidden');
  });
});
