import { IncidentId, IncidentStatus, type Incident } from '../../protocol';
import { connectionOptions, parse, parseIntArg, resolveConnection, UsageError } from '../args';
import { withClient } from '../session';

export const help = `runtruth incidents [list] [--status firing|resolved] [--service NAME] [--limit 100] [--json]
runtruth incidents show ID [--json]
runtruth incidents resolve ID [--reason TEXT]
  Incidents are alerts the relay received on its webhook: POST <relay http url>/incidents with
  'Authorization: Bearer <operator token>', either Prometheus Alertmanager's webhook body (version 4; repeats
  update the incident with the same fingerprint, resolved alerts close it) or
  {"title": "...", "service": "checkout", "labels": {...}, "startsAt": "ISO time", "severity": "page"}.
  Alertmanager:  receivers: [{ name: runtruth, webhook_configs: [{ url: http://RELAY:7070/incidents,
                   http_config: { authorization: { credentials_file: /etc/alertmanager/runtruth.token } } }] }]
  Investigate one with: runtruth investigate --incident ID`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { ...connectionOptions, status: { type: 'string' }, service: { type: 'string' }, limit: { type: 'string' }, reason: { type: 'string' } },
    true,
  );
  const [sub = 'list', id, ...extra] = positionals;
  if (extra.length) throw new UsageError(`unexpected '${extra.join(' ')}'`);
  const json = values.json ?? false;
  return withClient(resolveConnection(values), async (client) => {
    switch (sub) {
      case 'list': {
        if (id !== undefined) throw new UsageError(`'list' takes no id; use 'runtruth incidents show ${id}'`);
        const status = values.status === undefined ? undefined : IncidentStatus.safeParse(values.status);
        if (status && !status.success) throw new UsageError(`--status is firing or resolved, got '${values.status}'`);
        const limit = parseIntArg('limit', values.limit) ?? 100;
        const { incidents } = await client.request('incidents.list', { limit, ...(status?.data ? { status: status.data } : {}), ...(values.service ? { service: values.service } : {}) });
        if (json) for (const i of incidents) console.log(JSON.stringify(i));
        else if (!incidents.length) console.log('no incidents');
        else for (const i of incidents) console.log(formatIncidentLine(i));
        return 0;
      }
      case 'show':
      case 'resolve': {
        if (!id || !IncidentId.safeParse(id).success) throw new UsageError(`give the incident id, e.g. runtruth incidents ${sub} inc-3`);
        const incident = sub === 'show' ? await client.request('incidents.get', { incidentId: id }) : await client.request('incidents.resolve', { incidentId: id, ...(values.reason ? { reason: values.reason } : {}) });
        if (json) console.log(JSON.stringify(incident));
        else for (const line of formatIncident(incident)) console.log(line);
        return 0;
      }
      default:
        throw new UsageError(`unknown subcommand '${sub}': list, show or resolve`);
    }
  });
}

export function formatIncidentLine(i: Incident): string {
  const when = i.status === 'resolved' ? `${i.startsAt} → ${i.endsAt ?? '?'}` : `since ${i.startsAt}`;
  return `${i.id}  ${i.status.toUpperCase()}  ${i.service ?? '-'}  ${i.severity ?? '-'}  ${when}  ${i.title}${i.deliveries > 1 ? `  (×${i.deliveries})` : ''}`;
}

export function formatIncident(i: Incident): string[] {
  const labels = Object.entries(i.labels).map(([k, v]) => `${k}=${v}`).join(' ');
  return [
    `${i.id}  ${i.title}`,
    `status       ${i.status}${i.resolvedBy ? ` (resolved by ${i.resolvedBy})` : ''}`,
    `service      ${i.service ?? '(none named)'}`,
    `severity     ${i.severity ?? '-'}`,
    `started      ${i.startsAt}${i.endsAt ? `; ended ${i.endsAt}` : ''}`,
    `source       ${i.source} (fingerprint ${i.fingerprint}), ${i.deliveries} deliver${i.deliveries === 1 ? 'y' : 'ies'}, reported by ${i.reportedBy}`,
    `labels       ${labels || '-'}`,
    ...(i.summary ? [`summary      ${i.summary}`] : []),
    ...(i.description ? [`description  ${i.description}`] : []),
    ...(i.generatorURL ? [`source link  ${i.generatorURL}`] : []),
  ];
}
