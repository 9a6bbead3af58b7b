import type { CapturedValue, MetricEvidence, ProbeSpec, SnapshotEvidence } from '../protocol';

/** Longest one-line rendering of a captured value. */
const MAX_VALUE_CHARS = 240;

/** A captured value on one line: `Order {id: 7, items: Array(2) […]}`, `"text"`, `[redacted]`. */
export function renderCaptured(v: CapturedValue, budget = MAX_VALUE_CHARS): string {
  const text = render(v);
  return text.length > budget ? `${text.slice(0, budget - 1)}…` : text;
}

function render(v: CapturedValue): string {
  if (v.redacted) return '[redacted]';
  if (v.accessor) return '[accessor]';
  if (v.children === undefined) {
    if (v.type === 'string' && typeof v.value === 'string') return JSON.stringify(v.value) + (v.truncated ? '…' : '');
    if (v.value !== undefined) return String(v.value);
    if (v.type === 'undefined') return 'undefined';
    return v.preview ?? v.type;
  }
  const isArray = /^(Array|.*Array)\(|^(Map|Set)\(/.test(v.preview ?? '') || v.type === 'Array';
  const items = v.children.map((c) => (isArray && /^\d+$/.test(c.name ?? '') ? render(c) : `${c.name ?? '?'}: ${render(c)}`));
  if (v.truncated) items.push('…');
  const head = v.preview && v.preview !== 'Object' ? `${v.preview} ` : '';
  return isArray ? `${head}[${items.join(', ')}]` : `${head}{${items.join(', ')}}`;
}

/** A snapshot in a few lines: where it paused, each frame, the top frames' locals, and the watches. */
export function formatSnapshot(e: SnapshotEvidence): string {
  const top = e.frames[0];
  const where = top ? `${top.function} (${top.file}:${top.line})` : 'no frames';
  const paused = e.pauseMs !== undefined ? `  [paused ${e.pauseMs.toFixed(2)} ms]` : '';
  const lines = [`${e.at} ${e.service}/${e.instance} ${e.probeId}  snapshot at ${where}${e.truncated ? '  (truncated)' : ''}${paused}`];
  e.frames.forEach((f, i) => {
    lines.push(`  #${i} ${f.function}  ${f.file}:${f.line}${f.column ? `:${f.column}` : ''}`);
    for (const local of f.locals ?? []) lines.push(`       ${local.name ?? '?'} = ${renderCaptured(local)}`);
  });
  for (const w of e.watches ?? []) lines.push(`  watch ${w.expression} = ${w.value ? renderCaptured(w.value) : `<error: ${w.error ?? 'no value'}>`}`);
  return lines.join('\n');
}

/** A metric window on one line: `count=120 in 5.0s` or `n=120 min=… p50=… p95=… p99=… max=… mean=…`. */
export function formatMetric(e: MetricEvidence): string {
  const seconds = ((Date.parse(e.window.end) - Date.parse(e.window.start)) / 1000).toFixed(1);
  const unit = e.unit ?? '';
  const n = (x: number | undefined) => (x === undefined ? '-' : `${Number.isInteger(x) ? x : x.toPrecision(4)}${unit}`);
  const summary =
    e.metric === 'count' || e.mean === undefined
      ? `count=${e.count}`
      : `count=${e.count}${e.sampled !== undefined && e.sampled !== e.count ? ` (sampled ${e.sampled})` : ''} min=${n(e.min)} p50=${n(e.p50)} p95=${n(e.p95)} p99=${n(e.p99)} max=${n(e.max)} mean=${n(e.mean)}`;
  return `${e.at} ${e.service}/${e.instance} ${e.probeId}  ${e.metric} ${summary} in ${seconds}s`;
}

/** What a probe does, in a few words: `log "…"`, `snapshot watch a, b`, `metric value(order.total)`. */
export function probeWhat(p: ProbeSpec): string {
  if (p.kind === 'log') return `log "${p.template}"`;
  if (p.kind === 'snapshot') return `snapshot${p.watches?.length ? ` watch ${p.watches.join(', ')}` : ''}`;
  if (p.metric === 'value') return `metric value(${p.expression})`;
  if (p.metric === 'duration') return `metric duration to ${p.endLine !== undefined ? `line ${p.endLine}` : 'function return'}`;
  return 'metric count';
}
