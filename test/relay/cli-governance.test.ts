import assert from 'node:assert/strict';
import { runCli } from '../support/proc';
import { Harness, logProbe } from './helpers';

/** The governance commands as a user runs them: the real CLI in a child process against a real relay. */
describe('CLI: token, probe approve/reject, policy', function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await Harness.start();
  });
  after(() => h.close());
  const cli = (args: string[], token = h.adminToken) => runCli([...args, '--relay', h.relay.url, '--token', token]);

  it('token create prints the token once; list shows it without the secret; revoke by name ends it', async () => {
    const created = await cli(['token', 'create', '--role', 'operator', '--name', 'alice', '--services', 'checkout,billing', '--labels', 'team=pay', '--expires', '30d']);
    assert.equal(created.code, 0, created.stderr);
    const secret = /token \(shown once; only its hash is kept\): (rt_tok_\S+)/.exec(created.stdout)?.[1];
    assert.ok(secret, created.stdout);
    h.minted.push(secret);
    assert.match(created.stdout, /tok-\d+ {2}alice {2}operator {2}active {2}services=checkout,billing labels=team=pay {2}expires /);

    const json = await cli(['token', 'create', '--role', 'viewer', '--name', 'claude', '--ai', '--json']);
    const parsed = JSON.parse(json.stdout);
    h.minted.push(parsed.secret);
    assert.deepEqual([parsed.name, parsed.role, parsed.ai, parsed.state], ['claude', 'viewer', true, 'active']);

    const list = await cli(['token', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /alice/);
    assert.match(list.stdout, /claude {2}viewer \(ai\)/);
    assert.ok(!list.stdout.includes(secret) && !list.stdout.includes(parsed.secret));

    const revoked = await cli(['token', 'revoke', 'alice']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /alice {2}operator {2}revoked/);
    const refused = await cli(['services'], secret);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /unknown or revoked token \[unauthorized\]/);
    assert.ok(!refused.stderr.includes(secret), 'the token is never echoed');

    const bad = await cli(['token', 'create', '--role', 'root', '--name', 'x']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--role must be one of viewer, operator, admin, got 'root'/);
  });

  it('an AI proposal is approved or rejected from the CLI, and probe list shows proposals', async () => {
    await h.agent({ service: 'checkout' });
    const aiSecret = await h.mint({ name: 'assistant', role: 'operator', ai: true });
    const proposed = await cli(['probe', 'add', '--service', 'checkout', '--file', 'src/validate.js', '--line', '13', '--log', 'a={amount}'], aiSecret);
    assert.equal(proposed.code, 0, proposed.stderr);
    const id = /^(p-\w+) .* proposed: nothing runs until a person approves it/.exec(proposed.stdout)?.[1];
    assert.ok(id, proposed.stdout);
    assert.match((await cli(['probe', 'list'])).stdout, new RegExp(`${id} .*\\[PROPOSED by assistant \\(ai\\)`));
    const aiApprove = await cli(['probe', 'approve', id], aiSecret);
    assert.equal(aiApprove.code, 1);
    assert.match(aiApprove.stderr, /needs a person.*\[forbidden\]/);
    const approved = await cli(['probe', 'approve', id]);
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, new RegExp(`${id} approved: live until `));

    const second = await h.client(aiSecret);
    const another = await second.call('probe.add', { probe: logProbe() });
    const rejected = await cli(['probe', 'reject', another.probe.id, '--reason', 'reads too much']);
    assert.equal(rejected.code, 0, rejected.stderr);
    const state = await second.next((m) => m.type === 'probe.state' && m.view.state === 'rejected');
    assert.equal(state.view.approval.reason, 'reads too much');
  });

  it('policy set/get round-trips the limits, and a violating probe fails with the reason', async () => {
    const set = await cli(['policy', 'set', '--max-ttl', '2h', '--max-hits', '500', '--block', 'secrets/**', '--block', '**/*.pem', '--auto-approve', 'checkout:log', '--redact', 'password']);
    assert.equal(set.code, 0, set.stderr);
    const got = await cli(['policy', 'get', '--json']);
    const { policy } = JSON.parse(got.stdout);
    assert.deepEqual(
      [policy.maxTtlSeconds, policy.maxHits, policy.fileBlocklist, policy.autoApprove, policy.redaction],
      [7200, 500, ['secrets/**', '**/*.pem'], [{ service: 'checkout', kinds: ['log'] }], ['password']],
    );
    assert.match((await cli(['policy', 'get'])).stdout, /file blocklist {3}secrets\/\*\* {2}\*\*\/\*\.pem/);
    const blocked = await cli(['probe', 'add', '--service', 'checkout', '--file', 'src/secrets/keys.js', '--line', '1', '--log', 'x']);
    assert.equal(blocked.code, 1);
    assert.match(blocked.stderr, /blocked by the policy \(pattern 'secrets\/\*\*'\) \[policy_violation\]/);
    const cleared = await cli(['policy', 'set', '--clear', 'max-hits,block']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.match(cleared.stdout, /max hits {9}no limit/);
    const operator = await h.mint({ name: 'op', role: 'operator' });
    const denied = await cli(['policy', 'set', '--max-ttl', '1h'], operator);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /may not call policy\.set \[forbidden\]/);
  });
});
