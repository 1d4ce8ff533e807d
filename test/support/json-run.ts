/**
 * A recorded run through the real CLI with `--json`, for tests that check
 * the printed report against the rows in its ClickHouse store: runs
 * `args` with `--json --data-dir DIR --out DIR/out`, expects exit 0, and
 * hands back the parsed report, the store (close it) and the stderr.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import type { RunReport } from '../../reports/run/queries.js';
import { openStore } from '../../results/open-store.js';
import type { Store } from '../../results/store.js';
import { runCli } from './cli.js';

/** What {@link recordJsonRun} gives back. */
export interface JsonRun {
  readonly report: RunReport;
  /** The run's embedded store under `dir`; the caller closes it. */
  readonly store: Store;
  readonly stderr: string;
}

/** Runs `args` (a `run` command line) recorded under `dir`; see the module docs. */
export async function recordJsonRun(dir: string, args: readonly string[]): Promise<JsonRun> {
  const res = await runCli([...args, '--json', '--data-dir', dir, '--out', join(dir, 'out')]);
  expect(res.code, res.stderr).toBe(0);
  return { report: JSON.parse(res.stdout) as RunReport, store: await openStore({ dataDir: join(dir, 'clickhouse') }), stderr: res.stderr };
}
