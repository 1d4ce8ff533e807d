/**
 * `hotbench serve` + `hotbench blast`, as a user runs them: a short
 * closed-loop blast against the served strategy lands in ClickHouse as a run
 * (command `hotbench blast`, one `blast` replay on backend `http`, one `ops`
 * row per answer with intended = sent, autocannon's summary as samples), the
 * report renders it without an audit, and the server's ledger holds exactly
 * the writes the blast saw applied (plus at most the requests cut off at
 * the end).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../scenarios/index.js';
import type { RunReport } from '../reports/run/queries.js';
import { openStore } from '../results/open-store.js';
import type { Store } from '../results/store.js';
import { cliEntry, runCli } from './support/cli.js';
import { PG_URL } from './support/database.js';

const CONNECTIONS = 4;

/** Starts `hotbench serve` and resolves once it printed its URL (stdout) and its database (stderr). */
function startServe(args: readonly string[]): Promise<{ child: ChildProcess; url: string; database: string; stderr: () => string }> {
  const child = spawn(process.execPath, [cliEntry(), 'serve', ...args], { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60_000);
    const check = (): void => {
      const url = /^(http:\/\/\S+)$/m.exec(stdout)?.[1];
      const database = /ledger database (\w+)/.exec(stderr)?.[1];
      if (url && database) {
        clearTimeout(timer);
        resolve({ child, url, database, stderr: () => stderr });
      }
    };
    child.stdout!.on('data', (c: Buffer) => ((stdout += c.toString()), check()));
    child.stderr!.on('data', (c: Buffer) => ((stderr += c.toString()), check()));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

describe('serve + blast', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotbench-blast-'));
  let serve: Awaited<ReturnType<typeof startServe>>;
  let report: RunReport;
  let store: Store;
  let blastStderr: string;

  beforeAll(async () => {
    serve = await startServe(['--strategy', 'atomic', '--pg', PG_URL, '--port', '0', '--scenario', 'advertiser-burst', '--keep-database']);
    const res = await runCli(['blast', '--target', serve.url, '--duration', '2s', '--connections', String(CONNECTIONS), '--json', '--data-dir', dir, '--out', join(dir, 'out')]);
    blastStderr = res.stderr;
    expect(res.code, res.stderr).toBe(0);
    report = JSON.parse(res.stdout) as RunReport;
    store = await openStore({ dataDir: join(dir, 'clickhouse') });
  }, 180_000);

  afterAll(async () => {
    await store?.close();
    if (serve) {
      const exited = new Promise((r) => serve.child.once('exit', r));
      serve.child.kill('SIGINT');
      await exited;
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${serve.database} WITH (FORCE)`);
      await admin.end();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const one = async <T>(sql: string): Promise<T> => (await store.query<T>(sql, { run: report.run.run_id }))[0]!;

  it('records the blast as a run with one blast replay on backend http, not audited', () => {
    expect(report.run.command).toBe('hotbench blast');
    expect(report.run.status).toBe('complete');
    expect(report.strategies).toHaveLength(1);
    const s = report.strategies[0]!;
    expect([s.label, s.backend, s.status]).toEqual(['blast', 'http', 'completed']);
    expect(s.conservation).toEqual({ audited: false, ok: null, accounts_checked: 0 });
    expect(s.detail).toMatch(/no ledger audit is possible/);
    expect(s.ops.concurrency).toBe(CONNECTIONS);
    expect(blastStderr).toMatch(/target http:\/\/127\.0\.0\.1:\d+\/: hotbench serve, strategy atomic \[postgres\]/);
  });

  it('has one ops row per answer, closed loop (intended = sent), with autocannon’s count of responses', async () => {
    const s = report.strategies[0]!;
    const ops = await one<{ n: number; answered: number; open_loop: number; bad_ack: number; ids: number; min_id: number; max_id: number }>(
      `SELECT count() AS n, countIf(acked_us >= 0) AS answered, countIf(intended_us != sent_us) AS open_loop, countIf(acked_us >= 0 AND acked_us < sent_us) AS bad_ack,
              uniqExact(op_id) AS ids, min(op_id) AS min_id, max(op_id) AS max_id
       FROM hotbench.ops WHERE run_id = {run:String}`,
    );
    expect(ops.n).toBeGreaterThan(50);
    expect(ops.n).toBe(s.ops.recorded);
    expect(ops.open_loop).toBe(0);
    expect(ops.bad_ack).toBe(0);
    expect(ops.ids).toBe(ops.n);
    expect(ops.min_id).toBe(0);
    // Ops go out in stream order: the recorded ids are 0..n-1 plus at most the requests cut off at the end.
    expect(ops.max_id).toBeLessThan(ops.n + CONNECTIONS);
    const total = await one<{ v: number }>("SELECT value AS v FROM hotbench.samples WHERE run_id = {run:String} AND name = 'autocannon_requests_total'");
    expect(total.v).toBe(ops.answered);
    const p99 = await one<{ v: number; q: number }>(
      "SELECT (SELECT value FROM hotbench.samples WHERE run_id = {run:String} AND name = 'autocannon_latency_p99_us') AS v, quantileExact(0.99)(acked_us - sent_us) AS q FROM hotbench.ops WHERE run_id = {run:String} AND acked_us >= 0",
    );
    // autocannon times the wire, hotbench from just before the write to just after the parse: the same order of magnitude.
    expect(p99.v).toBeGreaterThan(0);
    expect(p99.q).toBeGreaterThan(p99.v / 10);
    expect(p99.q).toBeLessThan(p99.v * 10 + 50_000);
  });

  it("the server's ledger holds the writes the blast saw applied (plus at most the cut-off ones)", async () => {
    const applied = await one<{ writes: number; refused: number }>(
      "SELECT countIf(status = 'applied' AND kind != 'read') AS writes, countIf(reason = 'insufficient_funds') AS refused FROM hotbench.ops WHERE run_id = {run:String}",
    );
    const url = new URL(PG_URL);
    url.pathname = `/${serve.database}`;
    const ledger = new pg.Client({ connectionString: url.toString() });
    await ledger.connect();
    try {
      const entries = Number((await ledger.query<{ n: string }>('SELECT count(*) AS n FROM entries WHERE op_id IS NOT NULL')).rows[0]!.n);
      expect(entries).toBeGreaterThanOrEqual(applied.writes);
      expect(entries).toBeLessThanOrEqual(applied.writes + CONNECTIONS);
    } finally {
      await ledger.end();
    }
    const health = (await (await fetch(`${serve.url}/healthz`)).json()) as { submitted: number; refused: number };
    expect(health.refused).toBe(0); // every request the blast built was valid
  });
});
