import fs from 'node:fs';
import path from 'node:path';

/** Line numbers in VALIDATE_JS that tests place probes on. */
export const LINES = { compare: 5, total: 8 } as const;

/** The function under observation. Line 5 sees `amount` and `limit`; the file has 8 lines. */
export const VALIDATE_JS = `'use strict';
// Order validation for the fixture app.
function validate(amount) {
  const limit = 10000;
  const ok = typeof amount === 'number' ? amount <= limit : false;
  return { ok, kind: typeof amount };
}
module.exports = { validate };
`;

/** The fixture app's inputs, cycled one per tick. */
export const INPUTS: unknown[] = [15000, '15,000', 120];

/** What the app prints for tick n: a pure function of n, so the output with and without probes must match it. */
export function expectedTickLine(n: number): string {
  const input = INPUTS[n % INPUTS.length];
  const ok = typeof input === 'number' ? input <= 10000 : false;
  return `tick ${n} ${JSON.stringify(input)} -> ${JSON.stringify({ ok, kind: typeof input })}`;
}

/**
 * A service stand-in: calls validate() every TICK_MS and prints one line per call. TICKS ends it after that
 * many ticks (naturally, or with process.exit when EXIT_EXPLICITLY is set). With an IPC channel, the message
 * "load-late" requires src/late.js lazily and starts calling it too; "exit" calls process.exit(0);
 * "stop" ends the loop and the IPC channel, so the process ends by itself.
 */
export const APP_JS = `'use strict';
const { validate } = require('./src/validate');
const inputs = ${JSON.stringify(INPUTS)};
const maxTicks = Number(process.env.TICKS || 0);
let tick = 0;
let late;
const timer = setInterval(() => {
  const input = inputs[tick % inputs.length];
  console.log('tick ' + tick + ' ' + JSON.stringify(input) + ' -> ' + JSON.stringify(validate(input)));
  if (late) late.check(tick);
  tick++;
  if (maxTicks && tick >= maxTicks) {
    clearInterval(timer);
    if (process.env.EXIT_EXPLICITLY) process.exit(0);
  }
}, Number(process.env.TICK_MS || 20));
process.on('message', (m) => {
  if (m === 'load-late') late = require('./src/late');
  if (m === 'exit') process.exit(0);
  if (m === 'stop') {
    clearInterval(timer);
    process.disconnect();
  }
});
console.log('app started pid ' + process.pid);
`;

/** Loaded only on demand ("load-late"). Line 3 sees \`n\`. */
export const LATE_JS = `'use strict';
function check(n) {
  const even = n % 2 === 0;
  return even;
}
module.exports = { check };
`;

/** Writes the fixture app (and any extra files) under `dir`; returns the app's entry path. */
export function writeFixtureApp(dir: string, extra: Record<string, string> = {}): string {
  const files: Record<string, string> = { 'app.js': APP_JS, 'src/validate.js': VALIDATE_JS, 'src/late.js': LATE_JS, ...extra };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return path.join(dir, 'app.js');
}
