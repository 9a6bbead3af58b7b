import assert from 'node:assert/strict';
import { RelayConnectionError } from '../../../backend/client/relayClient';
import { RuntruthError } from '../../../backend/protocol';
import { ConnectionManager, type ConnectionState, type Connector, type RelaySession } from '../../../extension/core/connection';

/** A session whose only behaviour is being closed by "the relay". */
function fakeSession(name = 'admin'): RelaySession & { drop(reason: string): void } {
  const closers = new Set<(reason: string) => void>();
  return {
    identity: { name, role: 'admin' },
    request: () => Promise.reject(new Error('not used')),
    subscribe: () => Promise.reject(new Error('not used')),
    unsubscribe: () => Promise.resolve(),
    onStatus: () => () => true,
    onClose: (l: (reason: string) => void) => (closers.add(l), () => closers.delete(l)),
    close: () => Promise.resolve(),
    drop: (reason: string) => closers.forEach((l) => l(reason)),
  } as unknown as RelaySession & { drop(reason: string): void };
}

function manager(connector: Connector) {
  const states: ConnectionState[] = [];
  const m = new ConnectionManager({ connector, log: () => undefined, delay: () => 5 });
  m.onDidChangeState((s) => states.push(s));
  const settle = (status: ConnectionState['status']) =>
    new Promise<ConnectionState>((resolve) => {
      if (m.state.status === status) return resolve(m.state);
      const sub = m.onDidChangeState((s) => s.status === status && (sub.dispose(), resolve(s)));
    });
  return { m, states, settle };
}

describe('ConnectionManager: one relay session, kept alive', () => {
  it('is signed out without a token, and connects when given one', async () => {
    const { m, settle } = manager(async () => fakeSession());
    m.configure('ws://relay:7070', undefined);
    assert.equal(m.state.status, 'signedOut');
    m.configure('ws://relay:7070', 'rt_token_123');
    const s = await settle('connected');
    assert.ok(s.status === 'connected' && s.identity.name === 'admin');
    m.dispose();
  });

  it('retries with backoff while the relay is unreachable, then connects', async () => {
    let calls = 0;
    const { m, states, settle } = manager(async () => {
      if (++calls < 3) throw new RelayConnectionError('relay unreachable at ws://relay:7070: ECONNREFUSED');
      return fakeSession();
    });
    m.configure('ws://relay:7070', 'rt_token_123');
    await settle('connected');
    assert.deepEqual(states.map((s) => s.status), ['connecting', 'retrying', 'connecting', 'retrying', 'connecting', 'connected']);
    const retrying = states.find((s) => s.status === 'retrying')!;
    assert.ok(retrying.status === 'retrying' && retrying.error.actions.includes('openSettings'));
    m.dispose();
  });

  it('stops retrying when only the user can fix it (a refused token), and says how', async () => {
    let calls = 0;
    const { m, settle } = manager(async () => {
      calls++;
      throw new RuntruthError('unauthorized', 'unknown or revoked token');
    });
    m.configure('ws://relay:7070', 'rt_bad_token');
    const s = await settle('failed');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(calls, 1);
    assert.ok(s.status === 'failed' && s.error.code === 'unauthorized' && s.error.actions.includes('signIn'));
    assert.doesNotMatch(s.error.message, /rt_bad_token/);
    m.dispose();
  });

  it('refuses a relay setting that is not a ws:// URL without dialling', async () => {
    let calls = 0;
    const { m } = manager(async () => (calls++, fakeSession()));
    m.configure('http://relay:7070', 'rt_token_123');
    assert.ok(m.state.status === 'failed' && m.state.error.actions.includes('openSettings'));
    assert.equal(calls, 0);
    m.dispose();
  });

  it('reconnects when an established session drops (relay restart) and announces the new session', async () => {
    const sessions: ReturnType<typeof fakeSession>[] = [];
    const { m, settle } = manager(async () => {
      const s = fakeSession();
      sessions.push(s);
      return s;
    });
    const announced: RelaySession[] = [];
    m.onDidConnect((s) => announced.push(s));
    m.configure('ws://relay:7070', 'rt_token_123');
    await settle('connected');
    sessions[0]!.drop('connection closed (1006)');
    assert.equal(m.state.status, 'retrying');
    await settle('connected');
    assert.equal(announced.length, 2);
    assert.equal(m.session, sessions[1]);
    m.dispose();
  });

  it('ignores the result of an attempt made for an older configuration', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const first = fakeSession('first');
    const { m, settle } = manager(async ({ token }) => (token === 'rt_old_token' ? (await slow, first) : fakeSession('second')));
    m.configure('ws://relay:7070', 'rt_old_token');
    m.configure('ws://relay:7070', 'rt_new_token');
    const s = await settle('connected');
    release();
    await new Promise((r) => setTimeout(r, 10));
    assert.ok(s.status === 'connected' && s.identity.name === 'second');
    assert.equal(m.session?.identity.name, 'second');
    m.dispose();
  });
});
