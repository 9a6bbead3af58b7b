import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../support/proc';

interface Manifest {
  main: string;
  engines: { vscode: string };
  extensionKind: string[];
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string }[];
    menus: Record<string, { command?: string; submenu?: string }[]>;
    submenus: { id: string }[];
    keybindings: { command: string }[];
    configuration: { properties: Record<string, { default?: unknown }> };
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    views: Record<string, { id: string; type?: string }[]>;
    walkthroughs: { steps: { description: string; media: { markdown?: string } }[] }[];
    colors: { id: string }[];
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
const c = manifest.contributes;
const commands = new Set(c.commands.map((x) => x.command));

/** The root package.json is the extension manifest: these checks catch what VS Code would only log at runtime. */
describe('extension manifest (package.json)', () => {
  it('points at the bundled entry and runs as a workspace extension on VS Code ^1.100', () => {
    assert.equal(manifest.main, './dist/extension/extension.js');
    assert.ok(fs.existsSync(path.join(ROOT, manifest.main)), 'npm run build produced the bundle');
    assert.equal(manifest.engines.vscode, '^1.100.0');
    assert.deepEqual(manifest.extensionKind, ['workspace']);
    assert.deepEqual(manifest.activationEvents, ['onStartupFinished'], 'lazy: never on the startup critical path');
  });

  it('only references commands and submenus it contributes', () => {
    const submenus = new Set(c.submenus.map((s) => s.id));
    for (const [menu, items] of Object.entries(c.menus)) {
      for (const item of items) {
        if (item.command) assert.ok(commands.has(item.command), `${menu} → ${item.command}`);
        if (item.submenu) assert.ok(submenus.has(item.submenu), `${menu} → submenu ${item.submenu}`);
      }
    }
    for (const k of c.keybindings) assert.ok(commands.has(k.command), `keybinding → ${k.command}`);
    for (const step of c.walkthroughs.flatMap((w) => w.steps)) {
      for (const [, id] of step.description.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(commands.has(id!) || id!.startsWith('workbench.'), `walkthrough → ${id}`);
    }
  });

  it('offers Add Logpoint… from the line-number menu, the editor menu, the palette and a keybinding', () => {
    assert.ok(c.menus['editor/lineNumber/context']!.some((m) => m.submenu === 'runtruth.editor'));
    assert.ok(c.menus['editor/context']!.some((m) => m.submenu === 'runtruth.editor'));
    assert.ok(c.menus['runtruth.editor']!.some((m) => m.command === 'runtruth.addLogpoint'));
    assert.ok(c.keybindings.some((k) => k.command === 'runtruth.addLogpoint'));
  });

  it('offers Add Snapshot… and Add Metric… wherever Add Logpoint… is, each with its own keybinding', () => {
    for (const command of ['runtruth.addSnapshot', 'runtruth.addMetric']) {
      assert.ok(commands.has(command), command);
      assert.ok(c.menus['runtruth.editor']!.some((m) => m.command === command), `${command} in the line-number and editor menus`);
      assert.ok(c.menus.commandPalette!.some((m) => m.command === command), `${command} in the palette`);
      assert.ok(c.keybindings.some((k) => k.command === command), `${command} has a keybinding`);
    }
    const keys = c.keybindings.map((k) => (k as { key?: string }).key);
    assert.equal(new Set(keys).size, keys.length, 'no two Runtruth commands share a key');
    for (const command of ['runtruth.extendProbe', 'runtruth.approveProbe', 'runtruth.rejectProbe']) assert.ok(commands.has(command), command);
  });

  it('ships every icon and walkthrough page it names', () => {
    const files = [
      ...c.viewsContainers.activitybar.map((v) => v.icon),
      ...c.walkthroughs.flatMap((w) => w.steps.map((s) => s.media.markdown!)),
      ...['bound', 'partial', 'pending', 'error', 'expired', 'proposed'].map((s) => `extension/media/probe-${s}.svg`),
    ];
    for (const f of files) assert.ok(fs.existsSync(path.join(ROOT, f)), f);
  });

  it('keeps the token out of settings: no setting can hold a secret', () => {
    assert.ok('runtruth.relay' in c.configuration.properties);
    assert.deepEqual(Object.keys(c.configuration.properties).filter((k) => /token|secret|key/i.test(k)), []);
  });

  it('has the side panel (webview), the services tree and the review tree in its own activity-bar container', () => {
    assert.deepEqual(c.views.runtruth!.map((v) => [v.id, v.type ?? 'tree']), [['runtruth.panel', 'webview'], ['runtruth.services', 'tree'], ['runtruth.review', 'tree'], ['runtruth.incidents', 'tree']]);
  });
});
