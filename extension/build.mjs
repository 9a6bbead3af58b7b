// Bundles the extension (Node, CommonJS, `vscode` provided by the host) and the side panel (browser) with esbuild.
// Type-checking is tsc's job (extension/tsconfig.json, webview/tsconfig.json); this only bundles.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', absWorkingDir: root };

await Promise.all([
  build({
    ...common,
    entryPoints: ['extension/src/extension.ts'],
    outfile: 'dist/extension/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // `ws` probes for these optional native speed-ups inside try/catch; the pure-JS path is what we ship.
    external: ['vscode', 'bufferutil', 'utf-8-validate'],
  }),
  build({
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview/panel.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  }),
]);
await mkdir(path.join(root, 'dist/webview'), { recursive: true });
await copyFile(path.join(root, 'webview/panel.css'), path.join(root, 'dist/webview/panel.css'));
