import { leafName } from '../commitFacts';
import type { Anomaly, AnomalyKind, Observation, PlannedProbe, TypedValue } from '../schema';
import { captureList, isLiteral, literalType } from './captures';

/** Fewest observations before "this comparison always comes out the same" means anything. */
export const CONSTANT_BRANCH_MIN = 10;

const RELATIONAL = new Set(['<', '>', '<=', '>=']);
const STRICT_EQUALITY = new Set(['===', '!==']);
const NUMERIC_TEXT = /^\s*-?\d+(\.\d+)?\s*$/;
const FALSY_WORDS = new Set(['false', '0', 'no', 'off', 'null', 'undefined', '']);

interface Finding {
  kind: AnomalyKind;
  expression: string;
  identifiers: string[];
  valueType?: string;
  detail: string;
  example: string;
}

/**
 * Runs every detector over one site's observations. Deterministic: findings are grouped by (kind, expression)
 * and ordered by first appearance, examples are the first few distinct ones.
 */
export function detectAnomalies(plan: PlannedProbe, probeId: string, observations: readonly Observation[]): Anomaly[] {
  const groups = new Map<string, { finding: Finding; count: number; examples: string[]; evidenceIds: number[] }>();
  for (const o of observations) {
    for (const f of findingsIn(plan, o)) {
      const key = `${f.kind}\u0000${f.expression}`;
      const g = groups.get(key) ?? { finding: f, count: 0, examples: [], evidenceIds: [] };
      g.count++;
      if (g.examples.length < 3 && !g.examples.includes(f.example)) g.examples.push(f.example);
      if (o.evidenceId !== undefined && g.evidenceIds.length < 10) g.evidenceIds.push(o.evidenceId);
      groups.set(key, g);
    }
  }
  const out: Anomaly[] = [...groups.values()].map((g) => ({
    file: plan.file,
    line: plan.line,
    kind: g.finding.kind,
    probeId,
    expression: g.finding.expression,
    identifiers: g.finding.identifiers,
    ...(g.finding.valueType ? { valueType: g.finding.valueType } : {}),
    upstream: [...new Set(g.finding.identifiers.flatMap((i) => plan.upstream[i] ?? []))].filter((u) => !g.finding.identifiers.includes(u)).sort(),
    detail: g.finding.detail,
    count: g.count,
    total: observations.length,
    examples: g.examples,
    evidenceIds: g.evidenceIds,
  }));
  out.push(...constantBranches(plan, probeId, observations), ...missingFields(plan, probeId, observations));
  return out;
}

/** Fewest observations before "this field is always undefined" means anything. */
export const MISSING_FIELD_MIN = 3;

/**
 * A field read (`row.quantity`) that is undefined every time, with no default after it (`|| x`, `?? x`): a
 * renamed or absent field. What the line writes is named too: that is where the undefined goes.
 */
function missingFields(plan: PlannedProbe, probeId: string, observations: readonly Observation[]): Anomaly[] {
  if (observations.length < MISSING_FIELD_MIN) return [];
  const out: Anomaly[] = [];
  for (const c of captureList(plan)) {
    if (!/^[\w$]+(\??\.[\w$]+)+$/.test(c.expr) || plan.truthTests.includes(c.expr)) continue;
    if (!observations.every((o) => o.values[c.name]?.type === 'undefined')) continue;
    out.push({
      file: plan.file,
      line: plan.line,
      kind: 'undefined',
      probeId,
      expression: c.expr,
      identifiers: [...new Set([leafName(c.expr), ...plan.writes])],
      valueType: 'undefined',
      upstream: [],
      detail: `${c.expr} is undefined every time this line runs${plan.writes.length ? ` (it feeds ${plan.writes.join(', ')})` : ''}: a missing or renamed field`,
      count: observations.length,
      total: observations.length,
      examples: [`${c.expr} = undefined`],
      evidenceIds: observations.slice(0, 10).flatMap((o) => (o.evidenceId === undefined ? [] : [o.evidenceId])),
    });
  }
  return out;
}

function findingsIn(plan: PlannedProbe, o: Observation): Finding[] {
  const out: Finding[] = [];
  const valueOf = (expr: string): TypedValue | undefined => {
    if (isLiteral(expr)) return { type: literalType(expr)!, text: expr };
    const name = captureList(plan).find((c) => c.expr === expr)?.name;
    const v = name === undefined ? undefined : o.values[name];
    return v && !v.unavailable ? v : undefined;
  };
  const show = (expr: string, v: TypedValue) => `${expr} = ${v.type === 'string' ? JSON.stringify(v.text) : v.text} (${v.type})`;
  const ids = (...exprs: string[]) => [...new Set(exprs.filter((e) => !isLiteral(e)).map(leafName))];

  for (const c of plan.comparisons) {
    if (c.left === undefined || c.right === undefined) continue;
    const l = valueOf(c.left);
    const r = valueOf(c.right);
    if (!l || !r) continue;
    const expression = `${c.left} ${c.op} ${c.right}`;
    const types = [l.type, r.type];
    const pair = `${show(c.left, l)} vs ${show(c.right, r)}`;
    if (RELATIONAL.has(c.op)) {
      if (types.includes('string') && types.includes('number')) {
        const [str, strExpr] = l.type === 'string' ? [l, c.left] : [r, c.right];
        const coerces = NUMERIC_TEXT.test(str.text);
        out.push({ kind: 'type-mismatch', expression, identifiers: ids(strExpr), valueType: 'string', detail: `a string is compared with a number (${coerces ? 'it happens to coerce' : `"${str.text}" coerces to NaN, so the comparison is false`})`, example: pair });
      } else if (l.type === 'string' && r.type === 'string' && NUMERIC_TEXT.test(l.text) && NUMERIC_TEXT.test(r.text)) {
        out.push({ kind: 'lexicographic', expression, identifiers: ids(c.left, c.right), detail: 'numbers held as strings are compared character by character', example: pair });
      }
    } else if (STRICT_EQUALITY.has(c.op) && l.type !== r.type && !isNullish(l) && !isNullish(r)) {
      const odd = isLiteral(c.left) ? r : l;
      out.push({ kind: 'type-mismatch', expression, identifiers: ids(c.left, c.right), valueType: odd.type, detail: `strict equality between a ${l.type} and a ${r.type} is never true`, example: pair });
    }
    for (const [v, e] of [[l, c.left], [r, c.right]] as const) {
      if (v.type === 'NaN') out.push({ kind: 'nan', expression, identifiers: ids(e), valueType: 'NaN', detail: `NaN reaches a comparison (every comparison with NaN is false)`, example: show(e, v) });
      else if (isNullish(v) && RELATIONAL.has(c.op) && !isLiteral(e)) out.push({ kind: 'undefined', expression, identifiers: ids(e), valueType: v.type, detail: `${v.type} reaches a comparison`, example: show(e, v) });
      else if (v.type === 'undefined' && STRICT_EQUALITY.has(c.op) && !isLiteral(e) && !isNullish(c.left === e ? r : l)) {
        out.push({ kind: 'undefined', expression, identifiers: ids(e), valueType: 'undefined', detail: 'undefined is compared with a value (a missing or renamed field?)', example: show(e, v) });
      }
    }
  }
  for (const a of plan.arithmetic) {
    for (const e of [a.left, a.right]) {
      if (e === undefined) continue;
      const v = valueOf(e);
      if (!v) continue;
      const expression = `${a.left ?? '…'} ${a.op} ${a.right ?? '…'}`;
      if (isNullish(v)) out.push({ kind: 'undefined', expression, identifiers: ids(e), valueType: v.type, detail: `${v.type} reaches arithmetic (the result is NaN)`, example: show(e, v) });
      else if (v.type === 'NaN') out.push({ kind: 'nan', expression, identifiers: ids(e), valueType: 'NaN', detail: 'NaN reaches arithmetic', example: show(e, v) });
    }
    // a literal string on either side is deliberate concatenation ('total: ' + n), not a mix-up
    if (a.op === '+' && a.left !== undefined && a.right !== undefined && !isLiteral(a.left) && !isLiteral(a.right)) {
      const l = valueOf(a.left);
      const r = valueOf(a.right);
      if (l && r && [l.type, r.type].includes('string') && [l.type, r.type].includes('number')) {
        const strExpr = l.type === 'string' ? a.left : a.right;
        out.push({ kind: 'type-mismatch', expression: `${a.left} + ${a.right}`, identifiers: ids(strExpr), valueType: 'string', detail: 'a string and a number are added: the result is a concatenated string', example: `${show(a.left, l)}, ${show(a.right, r)}` });
      }
    }
  }
  for (const t of plan.truthTests) {
    const v = valueOf(t);
    if (v?.type === 'string' && FALSY_WORDS.has(v.text.trim().toLowerCase()) && v.text !== '') {
      out.push({ kind: 'string-boolean', expression: t, identifiers: ids(t), valueType: 'string', detail: `the string "${v.text}" is tested for truth (any non-empty string is true)`, example: show(t, v) });
    }
  }
  if (plan.catchParam) {
    const v = o.values[plan.catchParam];
    // what the try block was working on is what the exception is about
    const inputs = captureList(plan).filter((c) => c.name !== plan.catchParam).map((c) => c.name);
    const shown = inputs.map((n) => (o.values[n] && !o.values[n]!.unavailable ? `${n} = ${JSON.stringify(o.values[n]!.text)}` : '')).filter(Boolean);
    out.push({ kind: 'exception', expression: `catch (${plan.catchParam})`, identifiers: ids(...inputs), detail: `an exception was caught here${v ? `: ${v.text.split('\n')[0]}` : ''}`, example: [v ? `${plan.catchParam} = ${v.text.split('\n')[0]}` : 'the catch block ran', ...shown].join('; ') });
  }
  return out;
}

/** A comparison whose result never changes while an operand does: a branch that never (or always) fires. */
function constantBranches(plan: PlannedProbe, probeId: string, observations: readonly Observation[]): Anomaly[] {
  const out: Anomaly[] = [];
  if (observations.length < CONSTANT_BRANCH_MIN) return out;
  for (const c of plan.comparisons) {
    const { left, right } = c;
    if (left === undefined || right === undefined) continue;
    const resultName = `${left} ${c.op} ${right}`;
    const results = new Set(observations.map((o) => o.values[resultName]?.text).filter((x) => x !== undefined));
    if (results.size !== 1) continue;
    const operandVaries = [left, right].some((e) => !isLiteral(e) && new Set(observations.map((o) => o.values[e]?.text)).size > 1);
    if (!operandVaries) continue;
    const value = [...results][0]!;
    out.push({
      file: plan.file,
      line: plan.line,
      kind: 'constant-branch',
      probeId,
      expression: resultName,
      identifiers: [...new Set([left, right].filter((e) => !isLiteral(e)).map(leafName))],
      detail: `\`${resultName}\` was ${value} in all ${observations.length} observations while its inputs varied`,
      count: observations.length,
      total: observations.length,
      examples: observations.slice(0, 3).map((o) => `${left} = ${o.values[left]?.text ?? left}`),
      evidenceIds: observations.slice(0, 10).flatMap((o) => (o.evidenceId === undefined ? [] : [o.evidenceId])),
      upstream: [...new Set([left, right].flatMap((e) => plan.upstream[leafName(e)] ?? []))].sort(),
    });
  }
  return out;
}

const isNullish = (v: TypedValue) => v.type === 'undefined' || v.type === 'null';

/**
 * Anomalies carried through a site: the site captured a value with the same leaf name and the same offending
 * type as an anomaly seen elsewhere (the string written here is the string that reaches the comparison there).
 */
export function carriedAnomalies(site: { plan: PlannedProbe; probeId?: string; observations: readonly Observation[] }, seen: readonly Anomaly[]): Anomaly[] {
  const out: Anomaly[] = [];
  for (const a of seen) {
    if (!a.valueType || a.kind === 'constant-branch' || (a.file === site.plan.file && a.line === site.plan.line)) continue;
    const names = captureList(site.plan).map((c) => c.name).filter((n) => a.identifiers.includes(leafName(n)));
    for (const name of names) {
      const showing = site.observations.filter((o) => o.values[name]?.type === a.valueType);
      if (!showing.length) continue;
      const example = showing[0]!.values[name]!;
      out.push({
        file: site.plan.file,
        line: site.plan.line,
        kind: a.kind,
        probeId: site.probeId ?? a.probeId,
        expression: name,
        identifiers: [leafName(name)],
        valueType: a.valueType,
        detail: `${name} is already a ${a.valueType} here, the value that reaches \`${a.expression}\` at ${a.file}:${a.line}`,
        count: showing.length,
        total: site.observations.length,
        examples: [`${name} = ${a.valueType === 'string' ? JSON.stringify(example.text) : example.text} (${example.type})`],
        evidenceIds: showing.slice(0, 10).flatMap((o) => (o.evidenceId === undefined ? [] : [o.evidenceId])),
        upstream: [],
      });
    }
  }
  return out;
}
