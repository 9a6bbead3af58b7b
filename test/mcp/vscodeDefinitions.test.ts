import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MCP_PROVIDER_ID, McpSignInRequired, mcpUrlOf, planServers, resolveHeaders } from '../../extension/src/mcp/definitions';
import { ROOT } from '../support/proc';

/** The VS Code MCP provider's logic, without VS Code (the test VS Code is 1.100; the API is 1.101). */
describe('VS Code MCP server definitions', () => {
  it('points at the relay\'s /mcp over http(s), keeping host, port and base path', () => {
    assert.equal(mcpUrlOf('ws://127.0.0.1:7070'), 'http://127.0.0.1:7070/mcp');
    assert.equal(mcpUrlOf('wss://relay.example.com/'), 'https://relay.example.com/mcp');
    assert.equal(mcpUrlOf('wss://gw.example.com:8443/runtruth/'), 'https://gw.example.com:8443/runtruth/mcp');
    assert.equal(mcpUrlOf('ws://[::1]:7070'), 'http://[::1]:7070/mcp');
    assert.equal(mcpUrlOf('http://127.0.0.1:7070'), undefined);
    assert.equal(mcpUrlOf('not a url'), undefined);
  });

  it('offers one server for the configured relay, with no token in it', () => {
    const plans = planServers('ws://127.0.0.1:7070', '0.1.0');
    assert.deepEqual(plans, [{ label: 'Runtruth (127.0.0.1:7070)', url: 'http://127.0.0.1:7070/mcp', version: '0.1.0' }]);
    assert.deepEqual(planServers('', '0.1.0'), [], 'an unusable setting offers nothing');
  });

  it('adds the signed-in token for that relay only when the server is started', async () => {
    const asked: string[] = [];
    const store = new Map([['ws://127.0.0.1:7070', 'rt_secret_token']]);
    const tokenFor = async (relay: string) => (asked.push(relay), store.get(relay));
    const headers = await resolveHeaders('ws://127.0.0.1:7070/', { 'x-extra': '1' }, tokenFor);
    assert.deepEqual(headers, { 'x-extra': '1', Authorization: 'Bearer rt_secret_token' });
    assert.deepEqual(asked, ['ws://127.0.0.1:7070']);
    await assert.rejects(resolveHeaders('ws://other:7070', {}, tokenFor), (e: Error) => e instanceof McpSignInRequired && /sign in to ws:\/\/other:7070 first/.test(e.message));
  });

  it('uses the provider id the manifest declares', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { mcpServerDefinitionProviders?: { id: string }[] } };
    assert.deepEqual(manifest.contributes.mcpServerDefinitionProviders?.map((p) => p.id), [MCP_PROVIDER_ID]);
  });
});
