/**
 * Ctrl-C (SIGINT), SIGTERM and even SIGKILL during a run: the servers the run
 * started are stopped (no orphan postgres), and for the catchable signals
 * what was measured so far is recorded and marked incomplete.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../results/open-store.js';
import { runCli } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hotbench-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Processes whose command line holds `-p <port>` as an embedded postgres does. */
function postgresOnPort(port: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => /\bpostgres\b/.test(l) && l.includes(` -p ${port} `));
}

function portOf(stderr: string): string {
  const port = /embedded PostgreSQL [\d.]+ on 127\.0\.0\.1:(\d+)/.exec(stderr)?.[1];
  expect(port, stderr).toBeDefined();
  return port!;
}

async function waitGone(port: string, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  let left = postgresOnPort(port);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    left = postgresOnPort(port);
  }
  return left;
}

describe.each(['SIGINT', 'SIGTERM'] as const)('%s during a run', (signal) => {
  it('stops cleanly, records the partial replay and marks the run incomplete', async () => {
    const data = join(dir, signal);
    const res = await runCli(['run', '--strategies', 'row-lock,atomic', '--duration', '20s', '--progress', 'plain', '--data-dir', data, '--out', join(data, 'out')], {
      // Once ops are flowing (a progress line with some sent), not at the plan line: on a busy machine the
      // setup can outlast a fixed delay, and a signal before the first op leaves nothing to record.
      interrupt: { when: /row-lock \[postgres\] +\d+\/20s +sent [1-9]/, signal, delayMs: 500 },
      // Below the test's own timeout, so a run that does not stop says what it printed.
      timeoutMs: 100_000,
    });
    expect(res.code, res.stderr).toBe(130);
    expect(res.stderr).toMatch(new RegExp(`${signal}: stopping`));
    expect(await waitGone(portOf(res.stderr), 5_000)).toEqual([]);

    const runId = /run (\S+): incomplete/.exec(res.stderr)?.[1];
    expect(runId, res.stderr).toBeDefined();
    const store = await openStore({ dataDir: join(data, 'clickhouse') });
    try {
      const [end] = await store.query<{ status: string }>('SELECT status FROM run_ends WHERE run_id = {run:String}', { run: runId! });
      expect(end?.status).toBe('incomplete');
      const replays = await store.query<{ strategy: string; status: string; sent_ops: number; planned_ops: number; audited: number }>(
        'SELECT strategy, status, sent_ops, planned_ops, audited FROM strategy_runs WHERE run_id = {run:String} ORDER BY idx',
        { run: runId! },
      );
      // atomic never started; row-lock stopped part-way and was still audited.
      expect(replays.map((r) => [r.strategy, r.status])).toEqual([['row-lock', 'interrupted']]);
      const replay = replays[0]!;
      expect(replay.sent_ops).toBeGreaterThan(0);
      expect(replay.sent_ops).toBeLessThan(replay.planned_ops);
      expect(replay.audited).toBe(1);
      const [ops] = await store.query<{ n: number }>('SELECT count() AS n FROM ops WHERE run_id = {run:String}', { run: runId! });
      // Every op that was sent has its row (timeouts included): nothing measured was lost.
      expect(ops?.n).toBe(replay.sent_ops);
    } finally {
      await store.close();
    }
  }, 120_000);
});

describe('SIGKILL during a run', () => {
  it('leaves no postgres behind (the watchdog stops it)', async () => {
    const data = join(dir, 'kill');
    const res = await runCli(['run', '--strategies', 'row-lock', '--duration', '20s', '--progress', 'plain', '--data-dir', data, '--out', join(data, 'out')], {
      interrupt: { when: /row-lock: \d+ ops over/, signal: 'SIGKILL', delayMs: 1_000 },
    });
    expect(res.signal).toBe('SIGKILL');
    expect(await waitGone(portOf(res.stderr), 10_000)).toEqual([]);
  }, 120_000);
});
