import assert from 'node:assert/strict';
import { requestSchemas, type Method, type ParamsOf } from '../../backend/protocol';
import { Harness, logProbe, type TestPeer } from './helpers';
import { postAlert } from '../assistant/helpers/alerts';

/**
 * The permission matrix, written out independently of auth.ts: every role × every method, for people,
 * AI tokens and scoped tokens, on targets inside and outside the scope.
 */
const VIEWER: Method[] = ['services.list', 'probe.list', 'evidence.query', 'evidence.subscribe', 'evidence.unsubscribe', 'incidents.list', 'incidents.get'];
const OPERATOR: Method[] = [...VIEWER, 'probe.add', 'probe.remove', 'probe.approve', 'probe.reject', 'probe.extend', 'policy.get', 'incidents.resolve'];
const ADMIN: Method[] = Object.keys(requestSchemas) as Method[];
const PEOPLE_ONLY: Method[] = ['probe.approve', 'probe.reject', 'probe.extend', 'token.create', 'token.revoke', 'agentkey.create', 'agentkey.revoke', 'policy.set'];
const UNSCOPED_ONLY: Method[] = ['token.create', 'token.list', 'token.revoke', 'agentkey.create', 'agentkey.list', 'agentkey.revoke', 'policy.set', 'audit.query'];
/** Methods that name a service or probe: a scoped token is refused when it is outside its scope. */
const TARGETED: Method[] = ['probe.add', 'probe.list', 'probe.remove', 'probe.approve', 'probe.reject', 'probe.extend', 'evidence.query', 'evidence.subscribe', 'incidents.list', 'incidents.get', 'incidents.resolve'];

interface Who {
  label: string;
  role: 'viewer' | 'operator' | 'admin';
  ai?: boolean;
  scope?: { services?: string[]; labels?: Record<string, string> };
}

const WHO: Who[] = [
  { label: 'viewer', role: 'viewer' },
  { label: 'operator', role: 'operator' },
  { label: 'admin', role: 'admin' },
  { label: 'AI viewer', role: 'viewer', ai: true },
  { label: 'AI operator', role: 'operator', ai: true },
  { label: 'AI admin', role: 'admin', ai: true },
  { label: 'service-scoped viewer', role: 'viewer', scope: { services: ['checkout'] } },
  { label: 'service-scoped operator', role: 'operator', scope: { services: ['checkout'] } },
  { label: 'service-scoped admin', role: 'admin', scope: { services: ['checkout'] } },
  { label: 'label-scoped operator', role: 'operator', scope: { labels: { team: 'pay' } } },
];

function allowed(who: Who, method: Method): boolean {
  const byRole = { viewer: VIEWER, operator: OPERATOR, admin: ADMIN }[who.role];
  if (!byRole.includes(method)) return false;
  if (who.ai && PEOPLE_ONLY.includes(method)) return false;
  if (who.scope && UNSCOPED_ONLY.includes(method)) return false;
  return true;
}

describe('relay RBAC matrix', function () {
  this.timeout(60_000);
  let h: Harness;
  let admin: TestPeer;
  let n = 0;
  before(async () => {
    h = await Harness.start({ requestRate: { perSecond: 1e6, burst: 1e6 } });
    await h.agent({ service: 'checkout', labels: { team: 'pay' } });
    await h.agent({ service: 'billing', labels: { team: 'growth' } });
    admin = await h.client();
  });
  after(() => h.close());

  /** Where a scoped token's target lies: `in` its scope or `out` of it (unscoped tokens use `in`). */
  type Side = 'in' | 'out';
  const target = (who: Who, side: Side) =>
    side === 'in' ? { service: 'checkout', labels: { team: 'pay' } } : who.scope?.services ? { service: 'billing', labels: { team: 'growth' } } : { service: 'checkout', labels: { team: 'growth' } };

  async function params(method: Method, who: Who, side: Side): Promise<ParamsOf<Method>> {
    const { service, labels } = target(who, side);
    const probe = logProbe(service, { selector: { service, labels } });
    const incident = async () => (await postAlert(h.relay.url, h.adminToken, { title: `alert ${++n}`, service, labels })).body.incidents[0].id as string;
    const fresh = async (origin?: 'ai') => (await admin.call('probe.add', { probe, ...(origin ? { origin } : {}) })).probe.id;
    const byMethod: Record<Method, () => Promise<unknown>> = {
      'services.list': async () => ({}),
      'probe.add': async () => ({ probe }),
      'probe.list': async () => (who.scope?.services ? { service } : {}),
      'probe.remove': async () => ({ probeId: await fresh() }),
      'probe.approve': async () => ({ probeId: await fresh('ai') }),
      'probe.reject': async () => ({ probeId: await fresh('ai') }),
      'probe.extend': async () => ({ probeId: await fresh(), ttlSeconds: 600 }),
      'evidence.query': async () => (who.scope?.services ? { service } : { probeId: await fresh() }),
      'evidence.subscribe': async () => (who.scope?.services ? { service } : { probeId: await fresh() }),
      'evidence.unsubscribe': async () => ({ subscription: 's-none' }),
      'token.create': async () => ({ name: `made-${++n}`, role: 'viewer' }),
      'token.list': async () => ({}),
      'token.revoke': async () => {
        const name = `doomed-${++n}`;
        await h.mint({ name, role: 'viewer' });
        return { token: name };
      },
      'agentkey.create': async () => ({ name: `pool-${++n}` }),
      'agentkey.list': async () => ({}),
      'agentkey.revoke': async () => {
        const name = `doomed-pool-${++n}`;
        await admin.call('agentkey.create', { name });
        return { key: name };
      },
      'policy.get': async () => ({}),
      'policy.set': async () => ({ policy: { redaction: ['password'] } }),
      'audit.query': async () => ({ limit: 1 }),
      'incidents.list': async () => (who.scope?.services ? { service } : {}),
      'incidents.get': async () => ({ incidentId: await incident() }),
      'incidents.resolve': async () => ({ incidentId: await incident() }),
    };
    return (await byMethod[method]()) as ParamsOf<Method>;
  }

  for (const who of WHO) {
    it(`${who.label}: every method`, async () => {
      const peer = await h.clientAs(who.role, { ...(who.ai ? { ai: true } : {}), ...(who.scope ? { scope: who.scope } : {}) });
      const failures: string[] = [];
      const sides: Side[] = who.scope ? ['in', 'out'] : ['in'];
      for (const method of ADMIN) {
        for (const side of sides) {
          const expectAllowed = allowed(who, method) && !(side === 'out' && TARGETED.includes(method) && !((method === 'probe.list' || method === 'incidents.list') && !who.scope?.services));
          const response = await peer.request(method, await params(method, who, side));
          const forbidden = !response.ok && response.error.code === 'forbidden';
          // allowed calls must really work (evidence.unsubscribe of an unknown subscription is the one expected error)
          const worked = response.ok || (method === 'evidence.unsubscribe' && response.error.code === 'not_found');
          if (expectAllowed && !worked) failures.push(`${method} (${side}) should be allowed, got ${JSON.stringify(response)}`);
          if (!expectAllowed && !forbidden) failures.push(`${method} (${side}) should be forbidden, got ${JSON.stringify(response).slice(0, 200)}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  }

  it('records every refusal in the audit log', async () => {
    const { entries } = await admin.call('audit.query', { newest: true, limit: 10_000 });
    const denied = entries.filter((e) => e.action === 'request.denied');
    assert.ok(denied.length > 50, `${denied.length} denials recorded`);
    assert.ok(denied.every((e) => typeof e.details.why === 'string' && e.target));
  });
});
