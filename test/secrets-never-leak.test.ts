/**
 * Passwords in --pg, --redis and --clickhouse never leave the process: not on
 * stdout or stderr, not in any report file, not in any String column of any
 * table for the run; and when a password is wrong, each driver's error is one
 * line without it.
 *
 * The services: PostgreSQL at 5432 trusts every local user, so a URL with a
 * password connects as is; Redis and ClickHouse at their shared ports have no
 * password (a password would be refused), so the test starts a redis-server
 * with `--requirepass` on a free port, and puts in front of the shared
 * ClickHouse an HTTP proxy that demands the password (as ClickHouse 18.16
 * does for a user that has one: code 193, "Wrong password") and strips it
 * before forwarding. The wrong-password case of PostgreSQL uses an embedded
 * server (scram-sha-256).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../runner/stack/embedded-postgres.js';
import { freePort } from '../runner/stack/free-port.js';
import { hasStackTrace, runCli } from './support/cli.js';
import { CLICKHOUSE_URL, runIdOf, sharedStore, smallScenario } from './hardening-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-secrets-'));
const secret = (what: string) => `${what}S3cr3t${randomBytes(6).toString('hex')}`;
const PG_SECRET = secret('pg');
const REDIS_SECRET = secret('redis');
const CH_SECRET = secret('ch');
const SECRETS = [PG_SECRET, REDIS_SECRET, CH_SECRET];

let redis: ChildProcess | undefined;
let redisPort = 0;
let proxy: Server | undefined;
let proxyPort = 0;
/** Requests the proxy saw with the right password (proof the password was really sent). */
let authorized = 0;

/** An HTTP proxy to ClickHouse that accepts only user `default` with {@link CH_SECRET}. */
async function startAuthProxy(): Promise<void> {
  const upstream = new URL(CLICKHOUSE_URL);
  proxy = createServer((req, res) => {
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [user, password] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(/:(.*)/s) : [req.headers['x-clickhouse-user'], req.headers['x-clickhouse-key']];
    if (user !== 'default' || password !== CH_SECRET) {
      req.resume();
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Exception-Code': '193' });
      res.end('Code: 193, e.displayText() = DB::Exception: Wrong password for user default, e.what() = DB::Exception\n');
      return;
    }
    authorized += 1;
    const headers = { ...req.headers };
    delete headers.authorization;
    delete headers['x-clickhouse-user'];
    delete headers['x-clickhouse-key'];
    const forward = request({ host: upstream.hostname, port: Number(upstream.port || 8123), method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((ok) => proxy!.listen(0, '127.0.0.1', ok));
  proxyPort = (proxy.address() as { port: number }).port;
}

async function startRedisWithPassword(): Promise<void> {
  redisPort = await freePort();
  redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--requirepass', REDIS_SECRET, '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis({ port: redisPort, password: REDIS_SECRET, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch {
      client.disconnect();
      if (Date.now() > deadline) throw new Error('redis-server with --requirepass did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

beforeAll(async () => {
  await Promise.all([startAuthProxy(), startRedisWithPassword()]);
});
afterAll(async () => {
  redis?.kill('SIGKILL');
  await new Promise((ok) => (proxy ? proxy.close(ok) : ok(undefined)));
  rmSync(dir, { recursive: true, force: true });
});

const pgUrl = (password: string) => `postgres://postgres:${password}@127.0.0.1:5432/test`;
const redisUrl = (password: string) => `redis://:${password}@127.0.0.1:${redisPort}`;
const chUrl = (password: string) => `http://default:${password}@127.0.0.1:${proxyPort}`;

/** Every file under `root`, recursively. */
function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function expectNoSecret(where: string, text: string): void {
  for (const s of SECRETS) expect(text.includes(s), `${where} contains a password`).toBe(false);
}

describe('passwords never leak', () => {
  it('a run with a password in --pg, --redis and --clickhouse: none in the output, the reports or any recorded string', async () => {
    const out = join(dir, 'out');
    const res = await runCli(
      ['run', '--scenario', smallScenario(dir, { seconds: 2, rate: 50 }), '--strategies', 'atomic,cache', '--pg', pgUrl(PG_SECRET), '--redis', redisUrl(REDIS_SECRET), '--clickhouse', chUrl(CH_SECRET), '--data-dir', join(dir, 'data'), '--out', out, '--progress', 'plain'],
      { timeoutMs: 180_000 },
    );
    expect(res.code, res.stderr).toBe(0);
    const runId = runIdOf(res.stderr);
    // The run really used all three with their passwords.
    expect(authorized).toBeGreaterThan(0);
    expect(res.stderr).toMatch(/cache \[redis\+postgres\]/);
    expect(res.stderr).not.toMatch(/cache: skipped/);
    expectNoSecret('stdout', res.stdout);
    expectNoSecret('stderr', res.stderr);
    expect(res.stderr).toContain('postgres://postgres:***@127.0.0.1:5432/test');

    const files = filesUnder(join(out, runId));
    expect(files.map((f) => f.slice(f.lastIndexOf('/') + 1)).sort()).toEqual(['report.html', 'report.json', 'report.md']);
    for (const file of files) expectNoSecret(file, readFileSync(file, 'utf8'));
    for (const file of filesUnder(join(dir, 'data'))) expectNoSecret(file, readFileSync(file).toString('latin1'));

    const store = await sharedStore();
    try {
      const columns = await store.query<{ table: string; name: string }>(
        "SELECT table, name FROM system.columns WHERE database = 'hotbench' AND type = 'String' ORDER BY table, name",
      );
      const tables = [...new Set(columns.map((c) => c.table))];
      expect(tables).toEqual(expect.arrayContaining(['events', 'incidents', 'ops', 'postings', 'run_ends', 'runs', 'samples', 'strategy_runs']));
      let rows = 0;
      for (const table of tables) {
        const names = columns.filter((c) => c.table === table).map((c) => c.name);
        const [total] = await store.query<{ n: number }>(`SELECT count() AS n FROM ${table} WHERE run_id = {run:String}`, { run: runId });
        rows += total!.n;
        for (const s of SECRETS) {
          const [hits] = await store.query<{ n: number }>(
            `SELECT count() AS n FROM ${table} WHERE run_id = {run:String} AND (${names.map((n) => `positionCaseInsensitive(${n}, {s:String}) > 0`).join(' OR ')})`,
            { run: runId, s },
          );
          expect(hits?.n, `${table} holds a password`).toBe(0);
        }
      }
      expect(rows).toBeGreaterThan(200); // the grep covered real rows (2 replays of 100 ops, their events and samples)
      const [config] = await store.query<{ config_json: string }>('SELECT config_json FROM runs WHERE run_id = {run:String}', { run: runId });
      expect(JSON.parse(config!.config_json)).toMatchObject({ pg: 'postgres://postgres:***@127.0.0.1:5432/test', redis: `redis://:***@127.0.0.1:${redisPort}`, clickhouse: `http://default:***@127.0.0.1:${proxyPort}/` });
    } finally {
      await store.close();
    }

    const report = await runCli(['report', runId, '--clickhouse', chUrl(CH_SECRET), '--out', join(dir, 'out2')], { timeoutMs: 60_000 });
    expect(report.code, report.stderr).toBe(0);
    expectNoSecret('report stdout', report.stdout);
    expectNoSecret('report stderr', report.stderr);
  }, 240_000);

  describe('a wrong password is one line without it', () => {
    let embedded: EmbeddedPostgres | undefined;
    afterAll(async () => embedded?.stop());
    const WRONG = secret('wrong');
    const check = (res: { code: number | null; stdout: string; stderr: string }): string => {
      expect(hasStackTrace(res.stderr)).toBe(false);
      expect(res.stderr.includes(WRONG), res.stderr).toBe(false);
      expect(res.stdout.includes(WRONG)).toBe(false);
      return res.stderr;
    };

    it('PostgreSQL (scram-sha-256)', async () => {
      embedded = await startEmbeddedPostgres();
      const res = await runCli(['run', '--strategies', 'atomic', '--duration', '1s', '--pg', `postgres://postgres:${WRONG}@127.0.0.1:${embedded.port}/postgres`, '--data-dir', join(dir, 'pgw'), '--out', join(dir, 'pgw')], { timeoutMs: 60_000 });
      expect(res.code).toBe(2);
      expect(check(res).trim().split('\n')).toEqual([
        `hotbench: PostgreSQL at postgres://postgres:***@127.0.0.1:${embedded.port}/postgres is unreachable (28P01: password authentication failed for user "postgres"). Start it, fix the URL, or omit --pg to use the embedded server.`,
      ]);
    }, 120_000);

    it('ClickHouse (code 193)', async () => {
      const res = await runCli(['run', '--strategies', 'atomic', '--duration', '1s', '--pg', pgUrl(PG_SECRET), '--clickhouse', chUrl(WRONG), '--data-dir', join(dir, 'chw'), '--out', join(dir, 'chw')], { timeoutMs: 60_000 });
      expect(res.code).toBe(2);
      expect(check(res).trim().split('\n')).toEqual([
        `hotbench: ClickHouse server at http://default:***@127.0.0.1:${proxyPort} rejected user "default" (wrong user or password). Fix the credentials in the --clickhouse URL (http://user:***@host:8123).`,
      ]);
    }, 60_000);

    it('Redis (WRONGPASS): the strategies that need it are skipped, with the reason and without the password', async () => {
      const out = join(dir, 'rw');
      const res = await runCli(['run', '--scenario', smallScenario(dir, { seconds: 1, rate: 20 }), '--strategies', 'cache', '--pg', pgUrl(PG_SECRET), '--redis', redisUrl(WRONG), '--data-dir', join(dir, 'rw'), '--out', out], { timeoutMs: 120_000 });
      const stderr = check(res);
      expect(stderr).toMatch(new RegExp(`cache: skipped: needs redis \\(Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redisPort} is unreachable \\(WRONGPASS`));
      const runId = runIdOf(stderr);
      for (const file of filesUnder(join(out, runId))) expect(readFileSync(file, 'utf8').includes(WRONG), file).toBe(false);
    }, 120_000);
  });
});
