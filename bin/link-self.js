#!/usr/bin/env node
'use strict';
// npm does not put a package's own `bin` on its PATH, so `npx runtruth …` in a fresh clone would look for a
// published package instead. Link it into node_modules/.bin at install time (idempotent, no network).
const fs = require('node:fs');
const path = require('node:path');
const binDir = path.join(__dirname, '..', 'node_modules', '.bin');
const link = path.join(binDir, 'runtruth');
fs.mkdirSync(binDir, { recursive: true });
try { fs.unlinkSync(link); } catch { /* not there yet */ }
fs.symlinkSync(path.join('..', '..', 'bin', 'runtruth.js'), link);
