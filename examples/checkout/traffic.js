'use strict';
// Sends a steady trickle of orders to the checkout example: node traffic.js [port] [perSecond]
const http = require('node:http');
const port = Number(process.argv[2] || 8080);
const perSecond = Number(process.argv[3] || 5);
const amounts = [120, 15000, '15,000', 9999, 250000];
let i = 0;
setInterval(() => {
  const body = JSON.stringify({ amount: amounts[i++ % amounts.length], currency: 'USD' });
  const req = http.request({ host: '127.0.0.1', port, path: '/orders', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => res.resume());
  req.on('error', () => undefined);
  req.end(body);
}, 1000 / perSecond);
