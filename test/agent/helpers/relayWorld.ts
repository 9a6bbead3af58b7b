import fs from 'node:fs';
import path from 'node:path';
import { RelayClient } from '../../../backend/client/relayClient';
import { startRelay, type Relay } from '../../../backend/relay';
import { FixtureWorld, REGISTER } from './service';

/** The fixture app's world with a real relay in it and an admin client of that relay: agent tests that need the relay's own logic. */
export class RelayWorld {
  private constructor(
    readonly world: FixtureWorld,
    readonly relay: Relay,
    readonly client: RelayClient,
  ) {}

  static async start(clientName: string): Promise<RelayWorld> {
    const world = new FixtureWorld();
    const relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir: path.join(world.tmp.dir, 'relay'), log: () => undefined });
    const client = await RelayClient.connect({ relay: relay.url, token: fs.readFileSync(relay.adminTokenFile, 'utf8').trim(), clientName });
    return new RelayWorld(world, relay, client);
  }

  /** The fixture app with the agent preloaded (--require), dialling this relay with its agent key. */
  startApp(env: NodeJS.ProcessEnv = {}, name = 'app'): ReturnType<FixtureWorld['startApp']> {
    const agentKey = fs.readFileSync(this.relay.agentKeyFile, 'utf8').trim();
    return this.world.startApp(name, { args: ['--require', REGISTER], env: { ...this.world.agentEnv(this.relay.url), RUNTRUTH_AGENT_KEY: agentKey, ...env } });
  }

  async dispose(): Promise<void> {
    await this.client.close();
    await this.world.dispose();
    await this.relay.close();
  }
}
