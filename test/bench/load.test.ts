import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { load, parseResponse } from '../../bench/load';

describe('bench: the raw-socket load generator', () => {
  it('finds where each response ends: content-length, chunked, no body, and partial reads', () => {
    const fixed = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 404');
    assert.deepEqual(parseResponse(fixed), { status: 200, length: fixed.indexOf('HTTP/1.1 404') });
    assert.equal(parseResponse(fixed.subarray(0, 40)), undefined, 'body not all there yet');
    assert.equal(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Le')), undefined, 'head not all there yet');
    const chunked = Buffer.from('HTTP/1.1 500 Oops\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    assert.deepEqual(parseResponse(chunked), { status: 500, length: chunked.length });
    assert.equal(parseResponse(chunked.subarray(0, chunked.length - 2)), undefined);
    const empty = Buffer.from('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n');
    assert.deepEqual(parseResponse(empty), { status: 200, length: empty.length });
    assert.deepEqual(parseResponse(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n')), { status: 204, length: 27 });
  });

  it('keeps one request in flight per connection against a real server, and counts non-200 answers as errors', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const bodies: string[] = [];
    const server = http.createServer((req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        bodies.push(body);
        setTimeout(() => {
          inFlight--;
          if (body === 'bad') res.writeHead(400).end('no');
          else if (body === 'chunk') (res.write('a'), res.end('b')); // chunked: no length known up front
          else res.end(JSON.stringify({ ok: true }));
        }, 5); // long enough that every connection's request is in flight at once
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      let n = 0;
      const result = await load({ port, path: '/x', body: () => ['ok', 'chunk', 'bad'][n++ % 3]!, connections: 4, seconds: 0.5 });
      assert.ok(result.requests > 20, `answered: ${result.requests}`);
      assert.equal(maxInFlight, 4, 'closed loop: never more requests in flight than connections');
      const bad = bodies.filter((b) => b === 'bad').length;
      assert.equal(result.errors, bad, 'every 400 is an error, nothing else is');
      assert.equal(result.requests + result.errors, bodies.length, 'every request sent was answered and counted');
      assert.ok(result.p50ms > 0 && result.p99ms >= result.p50ms);
    } finally {
      server.close();
    }
  });

  it('open loop: sends on a fixed schedule, counts every due request once, and times latency from when it was due', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let received = 0;
    const server = http.createServer((req, res) => {
      inFlight++;
      received++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      req.resume();
      req.on('end', () =>
        setTimeout(() => {
          inFlight--;
          res.end('ok');
        }, 20),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      // two connections answered after 20 ms carry at most 100 requests/s: 200/s offered falls behind
      const result = await load({ port, path: '/x', body: () => 'x', connections: 2, seconds: 1, rate: 200 });
      assert.equal(result.requests + result.errors + result.unsent, 200, 'every request due in the second is answered or counted unsent');
      assert.equal(result.requests, received, 'each sent request answered once');
      assert.ok(result.unsent > 0, 'the backlog at the end is reported');
      assert.ok(maxInFlight <= 2, 'never more requests in flight than connections');
      // a closed loop would time each request from its send (~20 ms); from when it was due, the backlog shows
      assert.ok(result.p99ms > 100, `p99 from the due time: ${result.p99ms} ms`);
    } finally {
      server.close();
    }
  });
});
