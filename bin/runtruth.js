#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is TypeScript compiled to dist/ by `npm install` (prepare) or `npm run build`.
let cli;
try {
  cli = require('../dist/backend/cli/main.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && /dist[\\/]backend[\\/]cli[\\/]main/.test(String(e.message))) {
    console.error('runtruth: not built yet; run `npm install` (or `npm run build`) in the runtruth folder first');
    process.exit(1);
  }
  throw e;
}
cli.main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => { console.error('runtruth: internal error:', e && e.stack ? e.stack : e); process.exitCode = 1; },
);
