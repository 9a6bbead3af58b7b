/** POSTs an alert body to a relay's webhook (`POST /incidents`), as Alertmanager or a script would. */
export async function postAlert(relayUrl: string, token: string | undefined, body: unknown, opts: { contentType?: string; raw?: string } = {}): Promise<{ status: number; body: any }> {
  const url = relayUrl.replace(/^ws/, 'http') + '/incidents';
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': opts.contentType ?? 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: opts.raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A webhook body in the shape Alertmanager 0.27 sends (version 4), one alert per entry. */
export function alertmanagerBody(alerts: { status: 'firing' | 'resolved'; labels: Record<string, string>; annotations?: Record<string, string>; startsAt: string; endsAt?: string; fingerprint: string }[]) {
  const status = alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved';
  const common = alerts[0]!.labels;
  return {
    receiver: 'runtruth',
    status,
    alerts: alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: a.startsAt,
      endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
      generatorURL: `http://prometheus.internal:9090/graph?g0.expr=${encodeURIComponent('rate(http_requests_total[5m])')}`,
      fingerprint: a.fingerprint,
    })),
    groupLabels: { alertname: common.alertname ?? 'alert' },
    commonLabels: { alertname: common.alertname ?? 'alert' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.internal:9093',
    version: '4',
    groupKey: `{}:{alertname="${common.alertname ?? 'alert'}"}`,
    truncatedAlerts: 0,
  };
}
