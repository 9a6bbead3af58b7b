import assert from 'node:assert/strict';
import { buildLogpointCondition } from '../../agent/engine/logpointCondition';
import { RUNTIME_GLOBAL } from '../../agent/expr/allowlist';
import { createProbeRuntime, type ProbeHookCalls, type ProbeRuntime } from '../../agent/expr/runtime';
import type { PreparedProbe } from '../../agent/probe/prepare';
import { buildSnapshotGate } from '../../agent/snapshot/gate';

/** What the hook saw: admitted hits' values, and the conditions it was asked about. */
function recordingHook(admit = true): ProbeHookCalls & { hits: unknown[][]; conds: unknown[] } {
  const hook = {
    hits: [] as unknown[][],
    conds: [] as unknown[],
    admit: () => admit,
    ready: () => true,
    cond: (_id: string, value: unknown) => (hook.conds.push(value), Boolean(value)),
    hit: (_id: string, values: unknown[]) => void hook.hits.push(values),
    err: (thrown: unknown) => `<error: ${(thrown as Error).message}>`,
    snap: () => undefined,
  };
  return hook;
}

/**
 * Evaluates a breakpoint condition the way V8 does (an expression in the paused frame's scope): here the frame's
 * variables and the runtime global are parameters of a function made from the text.
 */
function evaluate(condition: string, runtime: ProbeRuntime, frame: Record<string, unknown>): unknown {
  const names = Object.keys(frame);
  return new Function(RUNTIME_GLOBAL, ...names, `return (${condition})`)(runtime, ...names.map((n) => frame[n]));
}

const probe = (expressions: string[], condition?: string): PreparedProbe => ({
  spec: { id: 'p-1' } as PreparedProbe['spec'],
  parts: ['', ...expressions.map(() => '')],
  expressions,
  ...(condition !== undefined ? { condition } : {}),
});

describe('agent: the breakpoint tier condition', () => {
  const declared = (names: string[]) => (name: string) => names.includes(name);

  it('reports every value in order, each failing one as an error of its own, and is always false', () => {
    const hook = recordingHook();
    const text = buildLogpointCondition(probe(['order.amount', 'order.missing.deeper', 'typeof order.amount']), declared(['order']));
    assert.equal(evaluate(text, createProbeRuntime(hook), { order: { amount: 12 } }), false);
    assert.deepEqual(hook.hits, [[12, "<error: Cannot read properties of undefined (reading 'deeper')>", 'number']]);
  });

  it('evaluates the condition first, and nothing else when it is false or throws', () => {
    const hook = recordingHook();
    const runtime = createProbeRuntime(hook);
    const text = buildLogpointCondition(probe(['order.amount'], 'order.amount > 10'), declared(['order']));
    assert.equal(evaluate(text, runtime, { order: { amount: 5 } }), false);
    assert.equal(evaluate(text, runtime, { order: { amount: 15 } }), false);
    assert.equal(evaluate(text, runtime, { order: null }), false); // the condition throws: false, nothing thrown
    assert.deepEqual(hook.conds, [false, true]);
    assert.deepEqual(hook.hits, [[15]]);
  });

  it('evaluates no expression when the gate refuses the hit', () => {
    const text = buildLogpointCondition(probe(['order.missing.deeper']), declared(['order']));
    for (const admit of [false, true]) {
      const hook = recordingHook(admit);
      let evaluated = 0;
      const runtime = createProbeRuntime({ ...hook, err: (thrown) => (evaluated++, hook.err(thrown)) });
      assert.equal(evaluate(text, runtime, { order: {} }), false);
      assert.equal(evaluated, admit ? 1 : 0);
    }
  });

  it('collects three or more values without consulting Array.prototype', () => {
    const hook = recordingHook();
    const text = buildLogpointCondition(probe(['a', 'b', 'c', 'd']), declared(['a', 'b', 'c', 'd']));
    let setterRan = false;
    Object.defineProperty(Array.prototype, '2', { set: () => void (setterRan = true), configurable: true });
    try {
      evaluate(text, createProbeRuntime(hook), { a: 1, b: 2, c: 3, d: 4 });
    } finally {
      delete (Array.prototype as unknown as Record<string, unknown>)['2'];
    }
    assert.equal(setterRan, false);
    assert.deepEqual(hook.hits, [[1, 2, 3, 4]]);
  });

  it('looks the runtime up once: the thunk reads it through its parameter, not through the frame scope', () => {
    const hook = recordingHook();
    const runtime = createProbeRuntime(hook);
    // the global holds only the entry calls: a guard read through it would fail as `<error: …>`
    const entryOnly = { bp: runtime.bp, bpc: runtime.bpc } as unknown as ProbeRuntime;
    const text = buildLogpointCondition(probe(['order.amount'], 'order.amount > 0'), declared(['order']));
    assert.equal(evaluate(text, entryOnly, { order: { amount: 7 } }), false);
    assert.deepEqual(hook.hits, [[7]]);
  });

  it('reads the runtime through a BigInt literal when BigInt.prototype holds it, and through the global otherwise', () => {
    const hook = recordingHook();
    const runtime = createProbeRuntime(hook);
    const text = buildLogpointCondition(probe(['order.amount']), declared(['order']));
    Object.defineProperty(BigInt.prototype, RUNTIME_GLOBAL, { value: runtime, configurable: true });
    try {
      // no global at all: only the prototype's copy can have been used
      assert.equal(evaluate(text, undefined as unknown as ProbeRuntime, { order: { amount: 3 } }), false);
    } finally {
      delete (BigInt.prototype as unknown as Record<string, unknown>)[RUNTIME_GLOBAL];
    }
    assert.equal(evaluate(text, runtime, { order: { amount: 4 } }), false);
    assert.deepEqual(hook.hits, [[3], [4]]);
  });
});

describe('agent: the paused snapshot gate', () => {
  const gateProbe = (condition?: string): PreparedProbe => ({ spec: { id: 's-1' } as PreparedProbe['spec'], parts: [''], expressions: [], ...(condition !== undefined ? { condition } : {}) });

  it('is true only when the condition holds and the hook admits; a throwing condition is false and admits nothing', () => {
    const admitted: string[] = [];
    const hook = { ...recordingHook(), admit: (id: string) => (admitted.push(id), true) };
    const runtime = createProbeRuntime(hook);
    const gate = buildSnapshotGate(gateProbe('order.amount > 10'));
    assert.equal(evaluate(gate, runtime, { order: { amount: 5 } }), false);
    assert.equal(evaluate(gate, runtime, { order: null }), false);
    assert.deepEqual(admitted, []);
    assert.equal(evaluate(gate, runtime, { order: { amount: 50 } }), true);
    assert.deepEqual(admitted, ['s-1']);
    assert.equal(evaluate(buildSnapshotGate(gateProbe()), createProbeRuntime(recordingHook(false)), {}), false);
    assert.equal(evaluate(buildSnapshotGate(gateProbe()), createProbeRuntime(recordingHook(true)), {}), true);
  });

  it('makes no global lookup: its condition reads the runtime through the thunk parameter', () => {
    const runtime = createProbeRuntime(recordingHook());
    const entryOnly = { sg: runtime.sg } as unknown as ProbeRuntime;
    assert.equal(evaluate(buildSnapshotGate(gateProbe('order.amount > 10')), entryOnly, { order: { amount: 50 } }), true);
  });
});
