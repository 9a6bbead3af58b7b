import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../backend/protocol';

/** A small seeded PRNG (mulberry32): the same seed gives the same frames, so a failure can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Frame {
  data: string | Buffer;
  binary: boolean;
  kind: string;
}

/** Values of every JSON type, plus shapes that trip careless code: huge, deep, prototype keys, odd numbers. */
function hostileValue(rand: () => number): unknown {
  const pick = Math.floor(rand() * 14);
  switch (pick) {
    case 0: return null;
    case 1: return -1;
    case 2: return 1e308 * 10 > 0 ? 1.5e308 : 0;
    case 3: return 'x'.repeat(Math.floor(rand() * 5000));
    case 4: return [];
    case 5: return {};
    case 6: return true;
    case 7: return { __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } };
    case 8: return '\u0000\ud800\uffff';
    case 9: return Array.from({ length: 50 }, () => rand());
    case 10: return 0.5;
    case 11: return '../../../../etc/passwd';
    case 12: return { toString: 'x', valueOf: 1, then: 'y' };
    default: return JSON.parse('{"a":' + '['.repeat(64) + ']'.repeat(64) + '}');
  }
}

function randomBytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

function deepNesting(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

const CLIENT_METHODS = ['services.list', 'probe.add', 'probe.list', 'probe.remove', 'probe.approve', 'probe.reject', 'evidence.query', 'evidence.subscribe', 'evidence.unsubscribe', 'token.create', 'token.list', 'token.revoke', 'policy.get', 'policy.set', 'audit.query'];

/**
 * Client frames that are all invalid by construction (each must earn exactly one typed error): garbage,
 * wrong JSON types, unknown methods, known methods with wrong-typed params, a second hello, huge frames.
 */
export function clientFrame(rand: () => number, n: number): Frame {
  const text = (kind: string, value: unknown): Frame => ({ data: typeof value === 'string' ? value : JSON.stringify(value), binary: false, kind });
  const id = `f${n}`;
  const pick = Math.floor(rand() * 12);
  switch (pick) {
    case 0: return { data: randomBytes(rand, 1 + Math.floor(rand() * 256)), binary: true, kind: 'binary' };
    case 1: return text('not-json', randomBytes(rand, 1 + Math.floor(rand() * 64)).toString('latin1').replace(/^[\s[{"0-9tfn-]/, '#'));
    case 2: return text('json-scalar', JSON.stringify(hostileValue(rand)) === '{}' ? '"{}"' : JSON.stringify([hostileValue(rand)]));
    case 3: return text('unknown-method', { type: 'request', id, method: `x.${Math.floor(rand() * 1e6)}`, params: {} });
    case 4: return text('no-id', { type: 'request', method: CLIENT_METHODS[Math.floor(rand() * CLIENT_METHODS.length)], params: {} });
    case 5: {
      // a known method whose params are a wrong-typed value (never an object that could pass)
      const params = [42, 'params', [], null, true][Math.floor(rand() * 5)];
      return text('bad-params', { type: 'request', id, method: CLIENT_METHODS[Math.floor(rand() * CLIENT_METHODS.length)], params });
    }
    case 6: return text('bad-probe', { type: 'request', id, method: 'probe.add', params: { probe: { kind: 'log', selector: { service: hostileValue(rand) }, file: '', line: -1, template: 'x' } } });
    case 7: return text('hello-again', { type: 'client.hello', protocol: Math.floor(rand() * 5), token: 'x'.repeat(16), client: { name: 'fuzz', version: '1' } });
    case 8: return text('unknown-type', { type: `t${Math.floor(rand() * 1000)}`, id, payload: hostileValue(rand) });
    case 9: return text('deep', deepNesting(1000 + Math.floor(rand() * 50_000)));
    case 10: return text('huge', n % 50 === 0 ? JSON.stringify({ type: 'request', id, method: 'services.list', params: {}, pad: 'x'.repeat(MAX_FRAME_BYTES) }) : JSON.stringify({ type: 'request', id, method: 'token.revoke', params: { token: 'x'.repeat(1000) } }));
    default: return text('proto', `{"type":"request","id":"${id}","method":"__proto__","params":{"__proto__":{"isAdmin":true}}}`);
  }
}

/** Agent frames, invalid by construction: garbage, wrong types, evidence/status with broken items, relay-only types. */
export function agentFrame(rand: () => number, n: number): Frame {
  const text = (kind: string, value: unknown): Frame => ({ data: typeof value === 'string' ? value : JSON.stringify(value), binary: false, kind });
  const pick = Math.floor(rand() * 9);
  switch (pick) {
    case 0: return { data: randomBytes(rand, 1 + Math.floor(rand() * 512)), binary: true, kind: 'binary' };
    case 1: return text('not-json', '{"type":"evidence","items":[' + 'x'.repeat(Math.floor(rand() * 100)));
    case 2: return text('empty-evidence', { type: 'evidence', items: [] });
    case 3: return text('bad-evidence', { type: 'evidence', items: [{ kind: 'log', probeId: hostileValue(rand), at: 'now', message: 1 }] });
    case 4: return text('bad-status', { type: 'probe.status', statuses: [{ probeId: 'p-1', instanceId: 'i', state: `s${n}`, at: 'x' }] });
    case 5: return text('relay-type', { type: ['probe.add', 'probe.sync', 'welcome', 'error'][Math.floor(rand() * 4)], probe: hostileValue(rand) });
    case 6: return text('hello-again', { type: 'agent.hello', protocol: PROTOCOL_VERSION + Math.floor(rand() * 3), agentKey: 'k'.repeat(10), instance: {} });
    case 7: return text('too-many', { type: 'evidence', items: Array.from({ length: 10_001 }, () => ({ kind: 'log' })) });
    default: return text('deep', deepNesting(1000 + Math.floor(rand() * 20_000)));
  }
}

/** Hellos that must be refused with a typed error while the connection stays open for a valid one. */
export function badHello(rand: () => number, endpoint: 'client' | 'agent'): Frame {
  const type = endpoint === 'client' ? 'client.hello' : 'agent.hello';
  const pick = Math.floor(rand() * 4);
  const value =
    pick === 0 ? { type, protocol: PROTOCOL_VERSION } :
    pick === 1 ? { type, protocol: 'one', token: 1, agentKey: 2 } :
    pick === 2 ? { type, protocol: PROTOCOL_VERSION, token: 'short', agentKey: 'short', client: {}, instance: {} } :
    { type, protocol: PROTOCOL_VERSION, token: hostileValue(rand), agentKey: hostileValue(rand), client: hostileValue(rand), instance: hostileValue(rand) };
  return { data: JSON.stringify(value), binary: false, kind: 'bad-hello' };
}
