/**
 * `capacity --via http-inprocess` measures through HTTP, as its recorded
 * config says: every step's replay names the HTTP backend. (Before the
 * recorded-run lifecycle was shared, capacity planned its strategies without
 * `--via`, so the steps ran direct while `config_json.via` said otherwise.)
 * `http-inprocess` keeps the test's own `capped` strategy reachable; `http`
 * takes the same path (runner/lifecycle/recorded-run.ts, `plannedForRun`).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../results/open-store.js';
import type { Store } from '../results/store.js';
import { parseSloText } from '../reports/common/slo.js';
import { runCapacity, type CapacityResult } from '../runner/api/capacity.js';
import { resolveRunConfig } from '../runner/config/run-config.js';
import { cappedRegistry } from './capacity-fixture.js';
import { HOT_SCENARIO, tempDataDir } from './compare-fixture.js';
import { PG_URL } from './support/database.js';

describe('capacity --via', () => {
  const dir = tempDataDir('hotbench-capacity-via-');
  let result: CapacityResult;
  let store: Store;

  beforeAll(async () => {
    const config = await resolveRunConfig({ scenario: HOT_SCENARIO, strategies: 'capped', via: 'http-inprocess', pg: PG_URL, dataDir: dir, out: join(dir, 'out') }, {});
    // One step (start = max): the test is about how the step is reached, not the search.
    result = await runCapacity(
      config,
      { limits: parseSloText('p99_ack_ms<2s').slo, startPerS: 50, maxPerS: 50, factor: 2, stepDurationUs: 1_000_000, minStepOps: 0, maxStepOps: 30_000, bisect: 0 },
      { registry: cappedRegistry(), log: () => undefined, progress: 'off', abort: new AbortController().signal },
    );
    store = await openStore({ dataDir: join(dir, 'clickhouse') });
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records via http-inprocess and runs every step through it', async () => {
    expect(result.status).toBe('complete');
    const run = await store.query<{ config_json: string }>('SELECT config_json FROM runs WHERE run_id = {run:String}', { run: result.runId });
    expect(JSON.parse(run[0]!.config_json).via).toBe('http-inprocess');
    const steps = await store.query<{ strategy: string; backend: string; status: string }>('SELECT strategy, backend, status FROM strategy_runs WHERE run_id = {run:String} ORDER BY idx', { run: result.runId });
    // A step that misses the SLO on a loaded machine makes the search step down once more:
    // how many steps ran is the machine's business; that each went through HTTP is the test's.
    expect(steps[0]).toEqual({ strategy: 'capped@50/s', backend: 'http-inprocess+postgres', status: 'completed' });
    for (const step of steps) expect(step.backend, step.strategy).toBe('http-inprocess+postgres');
  });
});
