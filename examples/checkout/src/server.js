'use strict';
// A tiny checkout service: POST /orders {amount, currency} → validation result. No Runtruth code in here:
// the agent is attached from outside (`runtruth attach --pid`) or preloaded with --require.
const http = require('node:http');
const { validate } = require('./validate');

const port = Number(process.env.PORT || 8080);
let orders = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/orders') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      let order;
      try {
        order = JSON.parse(body || '{}');
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: 'invalid JSON' }));
      }
      orders++;
      const result = validate(order);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ order: orders, ...result }));
    });
    return;
  }
  if (req.url === '/health') return res.end('ok');
  res.writeHead(404).end();
});

server.listen(port, '127.0.0.1', () => console.log(`checkout listening on http://127.0.0.1:${server.address().port} (pid ${process.pid})`));
