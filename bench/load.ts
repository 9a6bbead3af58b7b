import net from 'node:net';

export interface LoadResult {
  requests: number;
  /** Open loop: requests that were due but never sent (every connection busy until the end). */
  unsent: number;
  errors: number;
  seconds: number;
  rps: number;
  p50ms: number;
  p99ms: number;
}

export interface LoadOptions {
  port: number;
  path: string;
  body: () => string;
  connections: number;
  seconds: number;
  /**
   * Offered requests per second (open loop): requests are due on a fixed schedule whatever the service answers, and
   * each is sent on the next free connection. Latency counts from when a request was due, so a service that falls
   * behind shows it (no coordinated omission). Without it, the loop is closed: each connection sends again on answer.
   */
  rate?: number;
}

/**
 * A closed-loop HTTP/1.1 load generator: `connections` keep-alive sockets, each with one POST in flight at all times
 * for `seconds`. Raw sockets and prebuilt request bytes cost the generator a few µs per request, so on a two-core
 * machine the service is what saturates: node:http's client spent ~28 µs a request, more than the ~20 µs the example
 * service spends answering one, and a bench built on it measured its own generator.
 */
export async function load(opts: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const requests = new Map<string, Buffer>();
  const request = (body: string): Buffer => {
    let bytes = requests.get(body);
    if (!bytes) {
      const head = `POST ${opts.path} HTTP/1.1\r\nhost: 127.0.0.1:${opts.port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
      requests.set(body, (bytes = Buffer.from(head + body)));
    }
    return bytes;
  };
  const started = performance.now();
  const end = started + opts.seconds * 1000;
  const sockets = new Set<net.Socket>();
  // a service that stops answering must not hang the bench: whatever is still open 5 s after the end is dropped
  const deadline = setTimeout(() => sockets.forEach((s) => s.destroy()), opts.seconds * 1000 + 5_000);
  const schedule = opts.rate ? openLoop(opts.rate, started, opts.seconds * 1000) : undefined;

  const connection = () =>
    new Promise<void>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: opts.port });
      sockets.add(socket);
      socket.setNoDelay(true);
      let pending: Buffer | undefined;
      let sentAt = 0;
      const send = (at: number | undefined) => {
        if (at === undefined) return void socket.end(); // the open loop is over
        sentAt = at;
        socket.write(request(opts.body()));
      };
      const next = () => {
        if (performance.now() >= end) return void socket.end();
        if (schedule) schedule.whenDue(send);
        else send(performance.now());
      };
      socket.on('connect', next);
      socket.on('data', (chunk: Buffer) => {
        pending = pending ? Buffer.concat([pending, chunk]) : chunk;
        const response = parseResponse(pending);
        if (!response) return;
        pending = response.length < pending.length ? pending.subarray(response.length) : undefined;
        if (response.status === 200) latencies.push(performance.now() - sentAt);
        else errors++;
        next();
      });
      socket.on('error', () => errors++);
      socket.on('close', () => {
        sockets.delete(socket);
        resolve();
      });
    });

  await Promise.all(Array.from({ length: opts.connections }, connection));
  clearTimeout(deadline);
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { requests: latencies.length, unsent: schedule?.unsent() ?? 0, errors, seconds, rps: latencies.length / seconds, p50ms: q(0.5), p99ms: q(0.99) };
}

/**
 * The open loop's schedule over `durationMs` from `started`: request k is due at `started + k / rate`. A free connection takes the oldest due
 * request (with the time it was due), or waits for the next one; a 1 ms tick hands due requests to waiting
 * connections. At `end`, the connections still waiting are told to close (undefined).
 */
function openLoop(rate: number, started: number, durationMs: number) {
  const interval = 1000 / rate;
  const dueAt = (k: number) => started + k * interval;
  const end = started + durationMs;
  let released = 0; // requests handed to a connection so far
  const waiting: Array<(at: number | undefined) => void> = [];
  // from the duration, not from end - started: at a clock reading of ~1e6 ms that difference can come out a hair
  // under the duration, and one request due in the window went uncounted (the test saw 199 of 200)
  const total = Math.floor((durationMs * rate) / 1000);
  const dueNow = () => Math.min(total, Math.floor((performance.now() - started) / interval) + 1);
  const dispatch = () => {
    const due = dueNow();
    while (released < due && waiting.length) waiting.shift()!(dueAt(released++));
  };
  const ticker = setInterval(dispatch, 1);
  let over = false;
  // a timer may fire a fraction of a ms before `end`: from here on no connection waits, whatever the clock says
  setTimeout(() => {
    over = true;
    clearInterval(ticker);
    dispatch();
    waiting.splice(0).forEach((send) => send(undefined));
  }, end - performance.now());
  return {
    whenDue(send: (at: number | undefined) => void): void {
      if (released < dueNow()) send(dueAt(released++));
      else if (over) send(undefined);
      else waiting.push(send);
    },
    unsent: () => total - released,
  };
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('\r\n0\r\n\r\n');

/** The status and byte length of the complete response at the start of `bytes`, or undefined while it is partial. */
export function parseResponse(bytes: Buffer): { status: number; length: number } | undefined {
  const headEnd = bytes.indexOf(HEAD_END);
  if (headEnd < 0) return undefined;
  const head = bytes.toString('latin1', 0, headEnd);
  const status = Number(head.slice(9, 12));
  const bodyStart = headEnd + 4;
  const contentLength = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (contentLength) {
    const length = bodyStart + Number(contentLength[1]);
    return bytes.length >= length ? { status, length } : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const last = bytes.indexOf(CHUNKED_END, bodyStart - 2);
    return last < 0 ? undefined : { status, length: last + CHUNKED_END.length };
  }
  return { status, length: bodyStart }; // no body (e.g. 204, or a 404 ended without one)
}
