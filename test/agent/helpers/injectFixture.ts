/** Line numbers in CALC_JS that inject tests place probes on. */
export const CALC_LINES = { amount: 4, total: 5, insideLiteral: 7, declaration: 3, handleBefore: 13, handleAfter: 15, directive: 1 } as const;

/**
 * Code with a sync function (always injectable), a line where no statement starts (breakpoint tier), and an
 * async function that can have calls suspended in it (V8 refuses to edit it then).
 */
export const CALC_JS = `'use strict';
// pricing for the inject fixture
function price(order) {
  const amount = order.amount;
  const total = amount * 2;
  return {
    total,
    amount,
  };
}
async function handle(order) {
  // a call stays suspended in the await below for HANDLE_MS
  const before = order.amount;
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.HANDLE_MS || 20)));
  return before + 1;
}
module.exports = { price, handle };
//# sourceMappingURL=calc.js.map
`;

/**
 * Calls price() every TICK_MS and prints what it returned; IPC: "src" prints price's and handle's source
 * (Function.prototype.toString shows injected code), "busy" starts a handle() call every tick (so some are always
 * suspended), "quiet" stops starting them and prints "quiet" once the last one finished. HOT=1 also calls price()
 * in a tight loop, 20 ms at a time.
 */
export const INJECT_APP_JS = `'use strict';
const { price, handle } = require('./src/calc');
let tick = 0;
let busy = false;
let inFlight = 0;
const timer = setInterval(() => {
  const amount = [15000, 120, 7][tick % 3];
  console.log('tick ' + tick + ' ' + JSON.stringify(price({ amount })));
  if (busy) {
    inFlight++;
    handle({ amount }).then((r) => {
      inFlight--;
      console.log('handled ' + r);
      if (!busy && inFlight === 0) console.log('quiet');
    });
  }
  tick++;
}, Number(process.env.TICK_MS || 10));
if (process.env.HOT) setImmediate(function hot() {
  const end = Date.now() + 20;
  while (Date.now() < end) price({ amount: 1 });
  setImmediate(hot);
});
process.on('message', (m) => {
  if (m === 'src') console.log('SRC ' + JSON.stringify({ price: price.toString(), handle: handle.toString() }));
  if (m === 'busy') busy = true;
  if (m === 'quiet') busy = false;
  if (m === 'stop') { clearInterval(timer); process.disconnect(); }
});
console.log('app started pid ' + process.pid);
`;

/** What the app prints for tick n, with or without probes. */
export function expectedInjectTick(n: number): string {
  const amount = [15000, 120, 7][n % 3]!;
  return `tick ${n} ${JSON.stringify({ total: amount * 2, amount })}`;
}
