import assert from 'node:assert/strict';
import { FakeRelay } from './fakeRelay';
import { FixtureWorld } from './service';

/**
 * A fresh fixture world (`files()`) and fake relay for each test of the calling describe block, handed to `use`;
 * after each test both are torn down and every frame the agent sent must have matched the protocol.
 */
export function agentWorldPerTest(files: () => Record<string, string>, use: (world: FixtureWorld, relay: FakeRelay) => void): void {
  let world: FixtureWorld | undefined;
  let relay: FakeRelay | undefined;
  beforeEach(async () => {
    world = new FixtureWorld(files());
    relay = await FakeRelay.start();
    use(world, relay);
  });
  afterEach(async () => {
    await world?.dispose();
    await relay?.close();
    assert.deepEqual(relay?.invalid, [], 'every frame the agent sent matched the protocol');
  });
}
