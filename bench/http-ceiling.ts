/**
 * The ceiling of the HTTP path on this machine: autocannon (npm) against a
 * trivial `node:http` server that answers every request with a fixed
 * `{"status":"applied"}`. The server runs in a child process so that it and
 * the load generator each get a core, as a strategy served over HTTP would.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { once } from 'node:events';

/** What autocannon measured. */
export interface HttpCeiling {
  /** Mean completed requests per second. */
  readonly requestsPerS: number;
  readonly total: number;
  /** Latency p99, ms. */
  readonly p99Ms: number;
  readonly errors: number;
  readonly connections: number;
  readonly pipelining: number;
  readonly durationS: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p99: number };
  errors: number;
  non2xx: number;
}
type Autocannon = (options: { url: string; connections: number; pipelining: number; duration: number }) => Promise<AutocannonResult>;

const SERVER = `
const http = require('node:http');
const body = '{"status":"applied"}';
const server = http.createServer((req, res) => { req.resume(); res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); });
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

/**
 * Runs autocannon for `durationS` seconds (default 5) with `connections`
 * (default 64) and `pipelining` (default 1: one request per connection at a
 * time, as an RPC client does) against the trivial server.
 */
export async function measureHttpCeiling(options: { durationS?: number; connections?: number; pipelining?: number } = {}): Promise<HttpCeiling> {
  const durationS = options.durationS ?? 5;
  const connections = options.connections ?? 64;
  const pipelining = options.pipelining ?? 1;
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [chunk] = (await Promise.race([once(child.stdout, 'data'), once(child, 'exit').then(() => [undefined])])) as [Buffer | undefined];
    const port = Number(String(chunk ?? '').trim());
    if (!Number.isInteger(port) || port <= 0) throw new Error('the trivial HTTP server did not start');
    const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
    const r = await autocannon({ url: `http://127.0.0.1:${port}/`, connections, pipelining, duration: durationS });
    return { requestsPerS: r.requests.average, total: r.requests.total, p99Ms: r.latency.p99, errors: r.errors + r.non2xx, connections, pipelining, durationS };
  } finally {
    child.kill();
  }
}
