/**
 * Names that reach SQL are validated and values are parameters: SQL tried
 * through each entry point is either refused (with one clear line) or stored
 * verbatim, and never changes what a query does.
 *
 * Entry points: the scenario name (a pattern), the scenario file path (a
 * value: stored verbatim), a strategy spec (a pattern: no strategy takes a
 * free-text parameter), a run id (`report`, `compare`, the API), the
 * `latest:<branch>` of `compare` (free text: a bound value), and the
 * database names of ClickHouse and PostgreSQL.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CompareInputError, resolveRunRef } from '../reports/compare/index.js';
import { runExists } from '../reports/run/queries.js';
import { openStore } from '../results/open-store.js';
import { resolveRunConfig } from '../runner/config/run-config.js';
import { isUserFacing } from '../runner/errors.js';
import { runBenchmark } from '../runner/api/run.js';
import { openPostgres } from '../runner/stack/postgres.js';
import { planStrategies } from '../runner/replay/plan.js';
import { parseScenario, ScenarioError } from '../scenarios/index.js';
import { builtinRegistry } from '../strategies/registry.js';
import { runCli } from './support/cli.js';
import { PG_URL } from './support/database.js';
import { CLICKHOUSE_URL, opCounts, runIdOf, sharedStore, smallScenario } from './hardening-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-inject-'));
const database = `hbt_${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  await fetch(`${new URL(CLICKHOUSE_URL).origin}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` });
  rmSync(dir, { recursive: true, force: true });
});

const SQL = ["x'; DROP TABLE ops; --", "1' OR '1'='1", 'a\\\' OR 1=1 --', 'x` ; DROP DATABASE hotbench', 'x"; DROP TABLE ops; --', '{run:String}'];

/** The error `fn` throws, which must be user-facing and one line. */
async function refusal(fn: () => unknown): Promise<string> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'was not refused').toBeInstanceOf(Error);
  // CompareInputError is what `compare` turns into its one-line UserError.
  expect(isUserFacing(caught) || caught instanceof CompareInputError, `not a user-facing error: ${String(caught)}`).toBe(true);
  const message = (caught as Error).message;
  expect(message.split('\n')).toHaveLength(1);
  return message;
}

describe('SQL through every entry point', () => {
  it('a scenario name with SQL is refused by its pattern, in one line', () => {
    for (const name of SQL) {
      const text = `name: ${JSON.stringify(name)}\ndescription: x\naccounts: { count: 2, balance: 10 }\nphases: [{ duration: 1s, arrival: { process: constant, rate: 1 } }]\nmix: { charge: 1 }\n`;
      let err: unknown;
      try {
        parseScenario(text, 'inj.yaml');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ScenarioError);
      expect((err as ScenarioError).issues.map((i) => i.path)).toEqual(['name']);
    }
  });

  it('a strategy spec with SQL is refused (no strategy takes free text)', async () => {
    for (const spec of SQL.map((s) => `row-lock:${s}`).concat(SQL, ['aggregate:window=10ms;DROP TABLE ops'])) {
      expect(await refusal(() => planStrategies(spec, builtinRegistry()))).not.toMatch(/internal/);
    }
  });

  it('a run id with SQL (or a path) is refused by the API before anything runs', async () => {
    const config = await resolveRunConfig({ scenario: smallScenario(dir, { seconds: 1 }), pg: PG_URL, dataDir: join(dir, 'api'), out: join(dir, 'api-out') }, {});
    for (const runId of [...SQL, '../../etc/x', 'a'.repeat(65), '']) {
      const message = await refusal(() => runBenchmark(config, { registry: builtinRegistry(), log: () => undefined, progress: 'off', abort: new AbortController().signal, runId }));
      expect(message).toMatch(/^run id .* is not valid/);
    }
  });

  it('a run id with SQL is refused by the queries; a branch name with SQL is a bound value that matches nothing', async () => {
    const store = await openStore({ url: CLICKHOUSE_URL, dataDir: dir, database });
    try {
      await store.migrate();
      const runId = `inj-${randomBytes(4).toString('hex')}`;
      await store.insert('runs', [
        {
          run_id: runId, started_at: '2026-01-01 00:00:00', scenario: 's', scenario_file: 'f', seed: 1, stream_sha256: '', planned_ops: 1, schedule_us: 1, config_json: '{}',
          git_rev: '', git_branch: 'main', hotbench_version: '', pg_version: '', clickhouse_version: '', redis_version: '', node_version: '', host_name: '', host_cores: 1,
          host_mem_bytes: 1, command: 'hotbench run',
        },
      ]);
      await store.insert('run_ends', [{ run_id: runId, finished_at: '2026-01-01 00:00:01', status: 'complete', reason: '' }]);
      for (const id of SQL) expect(await refusal(() => runExists(store, id))).toMatch(/^run id .* is not valid/);
      // Control: the branch that exists is found...
      expect(await resolveRunRef(store, { kind: 'latest', branch: 'main' }, '--baseline')).toBe(runId);
      // ...and SQL in the branch is a value: had it been spliced into the query, OR '1'='1' would find that run.
      for (const text of SQL) {
        const message = await refusal(() => resolveRunRef(store, { kind: 'latest', branch: `main${text}` }, '--baseline'));
        expect(message).toContain('no complete run on branch main');
      }
      const [count] = await store.query<{ n: number }>('SELECT count() AS n FROM runs');
      expect(count?.n).toBe(1); // nothing was dropped or added
    } finally {
      await store.close();
    }
  });

  it('database names are validated before they reach SQL (ClickHouse and PostgreSQL)', async () => {
    for (const name of [...SQL, 'hotbench; DROP DATABASE hotbench', 'a.b', '']) {
      expect(await refusal(() => openStore({ url: CLICKHOUSE_URL, dataDir: dir, database: name }))).toMatch(/database/i);
    }
    const postgres = await openPostgres({ url: PG_URL });
    try {
      for (const name of [...SQL, 'test; DROP DATABASE test', 'Upper', 'a'.repeat(64)]) {
        expect(await refusal(() => postgres.createDatabase(name))).toMatch(/^invalid database name/);
      }
    } finally {
      await postgres.stop();
    }
  });

  it('a scenario file path with SQL in it is stored verbatim, and the tables are intact', async () => {
    const weird = join(dir, `q"uote\\back'; DROP TABLE ops; --`);
    mkdirSync(weird, { recursive: true });
    const scenario = smallScenario(weird, { name: 'inject', seconds: 1, rate: 30 });
    const res = await runCli(['run', '--scenario', scenario, '--strategies', 'atomic', '--pg', PG_URL, '--clickhouse', CLICKHOUSE_URL, '--data-dir', join(dir, 'data'), '--out', join(dir, 'out'), '--progress', 'off'], { timeoutMs: 120_000 });
    expect(res.code, res.stderr).toBe(0);
    const runId = runIdOf(res.stderr);
    const store = await sharedStore();
    try {
      const [run] = await store.query<{ scenario_file: string; config_json: string }>('SELECT scenario_file, config_json FROM runs WHERE run_id = {run:String}', { run: runId });
      expect(run?.scenario_file).toBe(scenario);
      expect((JSON.parse(run!.config_json) as { scenario_file: string }).scenario_file).toBe(scenario);
      expect(await opCounts(store, runId)).toEqual({ n: 30, distinct: 30 });
    } finally {
      await store.close();
    }
  }, 150_000);
});
