/**
 * `--fault postgres:restart@3s`: the embedded PostgreSQL the run started is
 * crash-restarted (same port, same data) in the middle of a replay. Ops fail
 * with reason `error` while it is down and are counted, the replay goes on
 * once it is back, and the auditor still checks the ledger: conservation
 * holds and no committed entry is lost. With an external --pg the fault is
 * refused before anything runs, in one line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from './support/cli.js';
import { PG_URL } from './support/database.js';
import { CLICKHOUSE_URL, opCounts, runIdOf, sharedStore, smallScenario } from './hardening-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-pg-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECONDS = 14;
const RATE = 80;
const FAULT_AT_US = 3_000_000;

describe('postgres:restart', () => {
  it('fails ops while the embedded server is down, serves again after, and the audit still holds', async () => {
    const scenario = smallScenario(dir, { seconds: SECONDS, rate: RATE });
    const res = await runCli(
      ['run', '--scenario', scenario, '--strategies', 'atomic', '--fault', 'postgres:restart@3s', '--clickhouse', CLICKHOUSE_URL, '--data-dir', join(dir, 'data'), '--out', join(dir, 'out'), '--progress', 'off'],
      { timeoutMs: 180_000 },
    );
    expect(res.code, res.stderr).toBe(0);
    const runId = runIdOf(res.stderr);
    expect(res.stderr).toMatch(/fault postgres:restart@3s at 3\.\d\d s: restarted the embedded PostgreSQL hotbench started \(pid (\d+) → (?!\1)\d+, /);

    const store = await sharedStore();
    try {
      const planned = SECONDS * RATE;
      expect(await opCounts(store, runId)).toEqual({ n: planned, distinct: planned });
      const [fault] = await store.query<{ at_us: number; detail: string }>(
        "SELECT at_us, detail FROM events WHERE run_id = {run:String} AND kind = 'fault'",
        { run: runId },
      );
      expect(fault?.detail).toMatch(/^postgres:restart@3s: restarted the embedded PostgreSQL/);
      const downMs = Number(/accepting connections again after (\d+) ms/.exec(fault!.detail)?.[1]);
      expect(downMs).toBeGreaterThan(0);
      const backUs = fault!.at_us + downMs * 1_000;

      const [counts] = await store.query<{ errors: number; errors_before: number; applied_after: number; applied: number; other: number }>(
        `SELECT
           countIf(status = 'rejected' AND reason = 'error') AS errors,
           countIf(status = 'rejected' AND reason = 'error' AND acked_us < {at:Int64}) AS errors_before,
           countIf(status = 'applied' AND intended_us > {back:Int64}) AS applied_after,
           countIf(status = 'applied') AS applied,
           countIf(status != 'applied' AND NOT (status = 'rejected' AND reason = 'error')) AS other
         FROM ops WHERE run_id = {run:String}`,
        { run: runId, at: FAULT_AT_US, back: backUs },
      );
      // Every op either applied or failed with `error` (rich accounts: nothing else to refuse), and
      // none failed before the fault.
      expect(counts!.applied + counts!.errors).toBe(planned);
      expect(counts!.other).toBe(0);
      expect(counts!.errors_before).toBe(0);
      expect(counts!.errors).toBeGreaterThan(0);
      expect(counts!.applied_after).toBeGreaterThan(0);
      // Served again: after the server is back, ops that were sent late into the outage may still
      // fail, but most of the remaining schedule is applied.
      expect(counts!.applied_after).toBeGreaterThan(((SECONDS * 1e6 - backUs) / 1e6) * RATE * 0.5);

      const [replay] = await store.query<{ status: string; audited: number; conservation_ok: number; accounts_checked: number }>(
        'SELECT status, audited, conservation_ok, accounts_checked FROM strategy_runs WHERE run_id = {run:String}',
        { run: runId },
      );
      expect(replay).toEqual({ status: 'completed', audited: 1, conservation_ok: 1, accounts_checked: 53 }); // the scenario's 50 and the three platform accounts of double entry (revenue, settlement, clearing)
      // Nothing the server acknowledged as committed was lost in the crash.
      const [lost] = await store.query<{ n: number }>("SELECT count() AS n FROM incidents WHERE run_id = {run:String} AND kind IN ('lost', 'duplicated', 'mismatch')", { run: runId });
      expect(lost?.n).toBe(0);
      const [recovered] = await store.query<{ n: number }>("SELECT count() AS n FROM events WHERE run_id = {run:String} AND kind = 'fault_recovered'", { run: runId });
      expect(recovered?.n).toBe(1);
    } finally {
      await store.close();
    }
  }, 240_000);

  it('is refused, in one line, on an external --pg', async () => {
    const res = await runCli(['run', '--scenario', smallScenario(dir, { seconds: 2 }), '--strategies', 'atomic', '--pg', PG_URL, '--fault', 'postgres:restart@1s', '--data-dir', join(dir, 'ext'), '--out', join(dir, 'out')], { timeoutMs: 60_000 });
    expect(res.code).toBe(2);
    expect(hasStackTrace(res.stderr)).toBe(false);
    expect(res.stderr.trim().split('\n')).toEqual([
      'hotbench: --fault postgres:restart@1s: hotbench restarts only the embedded PostgreSQL it starts, never an external server (--pg / PG_URL); drop --pg to use the embedded one, or drop the fault.',
    ]);
  }, 60_000);
});
