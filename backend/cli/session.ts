import { RelayClient, type ConnectOptions } from '../client/relayClient';
import type { Connection } from './args';

/** Runs one command on a fresh relay connection and always closes it, so the CLI process can exit. */
export async function withClient<T>(conn: Connection, fn: (client: RelayClient) => Promise<T>, options: Pick<ConnectOptions, 'reconnect'> = {}): Promise<T> {
  const client = await RelayClient.connect({ relay: conn.relay, token: conn.token, clientName: 'runtruth-cli', ...options });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
