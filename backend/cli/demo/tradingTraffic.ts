import http from 'node:http';

export interface TradeResponse {
  id: string;
  status: 'booked' | 'review' | 'rejected';
  flags: string[];
  order: { notional: unknown };
}

/**
 * A deterministic order flow: two gateways, the newer one sending a pre-computed notional formatted for
 * display ("15,000.00"), as upstream systems do. One order in three is high-value.
 */
export function tradeFor(i: number): Record<string, unknown> {
  const quantity = [100, 500, 1000][i % 3]!;
  const price = [42, 18.5, 27][i % 3]!; // notionals 4,200 / 9,250 / 27,000
  const order: Record<string, unknown> = { account: i % 5 === 0 ? 'retail' : 'desk-7', symbol: ['ACME', 'INIT', 'GLOBX'][i % 3], side: i % 2 ? 'sell' : 'buy', quantity, price };
  if (i % 2 === 1) order.notional = (quantity * price).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return order;
}

export function postTrade(port: number, order: Record<string, unknown>): Promise<TradeResponse> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(order);
    const req = http.request({ host: '127.0.0.1', port, path: '/trades', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text) as TradeResponse);
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends trades at a steady rate until stopped; remembers every response for the read-only check. */
export function startTradeFlow(port: () => number | undefined, perSecond = 20): { stop(): void; responses: Array<{ i: number; res: TradeResponse }> } {
  const responses: Array<{ i: number; res: TradeResponse }> = [];
  let i = 0;
  const timer = setInterval(() => {
    const p = port();
    if (p === undefined) return; // between deploys
    const n = i++;
    postTrade(p, tradeFor(n)).then((res) => responses.push({ i: n, res }), () => undefined);
  }, 1000 / perSecond);
  return { stop: () => clearInterval(timer), responses };
}
