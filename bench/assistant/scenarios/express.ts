import { housekeeping, httpServer, packageJson, type Scenario } from '../scenario';

const fulfil = `'use strict';
const { parseOrder } = require('./orders');
const { loadSettings } = require('./settings');
const { chooseService } = require('./shipping');

const CONFIG = { express_priority: '7', freight_kg: '30', carrier: 'ups' };

function fulfil(body) {
  const order = parseOrder(body);
  const settings = loadSettings(CONFIG);
  const service = chooseService(order, settings);
  return { id: order.id, service, carrier: settings.carrier };
}

module.exports = { fulfil };
`;

const orders = `'use strict';

function parseOrder(body) {
  return {
    id: String(body.id),
    priority: body.priority,
    weightKg: Number(body.weightKg || 1),
  };
}

module.exports = { parseOrder };
`;

const settings = `'use strict';

function loadSettings(raw) {
  return {
    expressPriority: Number(raw.express_priority),
    freightKg: Number(raw.freight_kg),
    carrier: raw.carrier,
  };
}

module.exports = { loadSettings };
`;

const shipping = `'use strict';

function chooseService(order, settings) {
  const priority = order.priority;
  if (priority >= settings.expressPriority) return 'express';
  if (order.weightKg > settings.freightKg) return 'freight';
  return 'standard';
}

module.exports = { chooseService };
`;

const h = housekeeping('fulfilment');

/** Settings stop converting to numbers: priorities (strings from the form) are compared as text, '10' < '7'. */
export const express: Scenario = {
  name: 'express-lexicographic',
  service: 'fulfilment',
  bug: 'numbers compared as strings',
  question: 'Why are priority 10 orders no longer shipped express?',
  entry: 'src/server.js',
  stack: ['src/server.js', 'src/fulfil.js', 'src/shipping.js'],
  baseHoursAgo: 320,
  base: {
    'package.json': packageJson('fulfilment'),
    'src/server.js': httpServer('fulfilment', { '/fulfil': { module: './fulfil', fn: 'fulfil' } }),
    'src/fulfil.js': fulfil,
    'src/orders.js': orders,
    'src/settings.js': settings,
    'src/shipping.js': shipping,
  },
  commits: [
    { subject: 'README for the fulfilment service', author: 'Tess Grant', hoursAgo: 300, edits: h.readme },
    { subject: 'Weigh parcels in kilograms everywhere', author: 'Yuki Sato', hoursAgo: 260, edits: [{ file: 'src/orders.js', find: 'weightKg: Number(body.weightKg || 1),', replace: 'weightKg: Number(body.weightKg || body.weight || 1),' }] },
    { subject: 'Smoke test', author: 'Tess Grant', hoursAgo: 220, edits: h.tests },
    { subject: 'Switch the default carrier to DHL', author: 'Ravi Menon', hoursAgo: 140, edits: [{ file: 'src/fulfil.js', find: "carrier: 'ups' }", replace: "carrier: 'dhl' }" }] },
    { subject: 'Pass settings through as the config service sends them', author: 'Yuki Sato', hoursAgo: 100, culprit: true, edits: [{ file: 'src/settings.js', find: 'expressPriority: Number(raw.express_priority),\n    freightKg: Number(raw.freight_kg),', replace: 'expressPriority: raw.express_priority,\n    freightKg: Number(raw.freight_kg),' }] },
    { subject: 'Freight from 25 kg', author: 'Ravi Menon', hoursAgo: 110, edits: [{ file: 'src/fulfil.js', find: "freight_kg: '30'", replace: "freight_kg: '25'" }] },
    { subject: 'Name the chosen service in the response', author: 'Tess Grant', hoursAgo: 40, edits: [{ file: 'src/shipping.js', find: "  return 'standard';\n", replace: "  // everything else goes by the cheapest service\n  return 'standard';\n" }] },
    { subject: 'CI workflow', author: 'Dana Ops', hoursAgo: 20, edits: h.ci },
    { subject: 'Bump version to 1.4.0', author: 'Dana Ops', hoursAgo: 6, edits: h.version },
  ],
  request(i) {
    return { path: '/fulfil', body: { id: `o${i}`, priority: ['10', '3', '8', '12', '1'][i % 5], weightKg: [2, 40, 5][i % 3] } };
  },
};
