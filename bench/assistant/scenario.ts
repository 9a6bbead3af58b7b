import type { CommitSpec } from './repo';

/** One incident to investigate: a small service, its history with exactly one culprit, its traffic and the question. */
export interface Scenario {
  name: string;
  service: string;
  question: string;
  /** Files of the previously deployed version. */
  base: Record<string, string>;
  /** The window: ordinary commits and one culprit, oldest first. */
  commits: CommitSpec[];
  baseHoursAgo: number;
  /** The entry file, relative to the repository. */
  entry: string;
  /** The i-th request of the traffic (deterministic). */
  request(i: number): { path: string; body: unknown };
  /** Files a stack trace at the symptom would show (the "file overlap with the stack" baseline). */
  stack: string[];
  /** What kind of bug it is, for the bench table. */
  bug: string;
}

/** A minimal JSON-over-HTTP server for scenario services: POST routes to handler functions, prints its port. */
export function httpServer(service: string, routes: Record<string, { module: string; fn: string }>): string {
  const requires = [...new Set(Object.values(routes).map((r) => r.module))]
    .map((m) => `const ${moduleVar(m)} = require('${m}');`)
    .join('\n');
  const table = Object.entries(routes)
    .map(([p, r]) => `  '${p}': (body) => ${moduleVar(r.module)}.${r.fn}(body),`)
    .join('\n');
  return `'use strict';
const http = require('node:http');
${requires}

const routes = {
${table}
};

const server = http.createServer((req, res) => {
  const route = req.method === 'POST' ? routes[req.url] : undefined;
  if (!route) {
    res.writeHead(req.url === '/health' ? 200 : 404).end();
    return;
  }
  let text = '';
  req.on('data', (chunk) => (text += chunk));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(text || '{}');
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid JSON"}');
      return;
    }
    Promise.resolve()
      .then(() => route(body))
      .then(
        (result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)),
        (err) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(err && err.message) })),
      );
  });
});

server.listen(Number(process.env.PORT || 8080), '127.0.0.1', () => {
  console.log(\`${service} listening on http://127.0.0.1:\${server.address().port} (pid \${process.pid})\`);
});
`;
}

const moduleVar = (m: string) => m.replace(/^.*\//, '').replace(/[^A-Za-z0-9]/g, '_');

/** Ordinary commits every service collects: docs, tests, tooling. Dated by the caller. */
export function housekeeping(service: string): Record<'readme' | 'tests' | 'version' | 'ci' | 'gitignore', CommitSpec['edits']> {
  return {
    readme: [{ file: 'README.md', content: `# ${service}\n\nRun it with \`node src/server.js\` (PORT defaults to 8080).\n\n## Endpoints\n\nSee src/server.js for the routes.\n` }],
    tests: [{ file: 'test/smoke.test.js', content: `'use strict';\nconst assert = require('node:assert');\n\ndescribe('${service}', () => {\n  it('loads', () => {\n    assert.ok(require('../src/server.js') !== undefined || true);\n  });\n});\n` }],
    version: [{ file: 'package.json', find: '"version": "1.3.0"', replace: '"version": "1.4.0"' }],
    ci: [{ file: '.github/workflows/ci.yml', content: 'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm test\n' }],
    gitignore: [{ file: '.gitignore', content: 'node_modules/\ncoverage/\n.env\n' }],
  };
}

export const packageJson = (service: string) => `{\n  "name": "${service}",\n  "version": "1.3.0",\n  "private": true,\n  "main": "src/server.js"\n}\n`;
