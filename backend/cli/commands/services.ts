import { connectionOptions, parse, resolveConnection } from '../args';
import { formatServices } from '../output';
import { withClient } from '../session';

export const help = `runtruth services [--json]
  Lists services and their instances (connected or not), with Node version, mode and deployed commit.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, connectionOptions);
  return withClient(resolveConnection(values), async (client) => {
    const { services } = await client.request('services.list', {});
    if (values.json) for (const s of services) console.log(JSON.stringify(s));
    else if (!services.length) console.log('no services have connected yet');
    else for (const line of formatServices(services)) console.log(line);
    return 0;
  });
}
