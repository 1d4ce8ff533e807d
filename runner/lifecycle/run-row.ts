/**
 * The `runs` row that opens every recorded run (`hotbench run`, `capacity`,
 * the benches): what was replayed, how it was configured, and the provenance
 * a reader needs to trust or reproduce it.
 */
import type { RunRow } from '../../results/rows.js';
import type { Store } from '../../results/store.js';
import { wallClockUtc } from '../clock.js';
import type { ResolvedRunConfig } from '../config/run-config.js';
import { readProvenance } from './provenance.js';

/** What the row describes besides the configuration and the machine. */
export interface RunRowFacts {
  readonly runId: string;
  readonly config: ResolvedRunConfig;
  /** The configuration as recorded (see `recordedConfig`), passwords already redacted. */
  readonly recordedConfig: Record<string, unknown>;
  /** The op stream's sha256 and op count (of one replay, or of the first step). */
  readonly stream: { readonly sha256: string; readonly totalOps: number };
  /** Planned schedule length, µs. */
  readonly scheduleUs: number;
  readonly pgVersion: string;
  readonly redisVersion: string;
  readonly store: Store;
  /** e.g. `hotbench run`. */
  readonly command: string;
}

/** Builds the run's `runs` row, asking the store for its version. */
export async function runRowOf(f: RunRowFacts): Promise<RunRow> {
  const provenance = readProvenance();
  return {
    run_id: f.runId,
    started_at: wallClockUtc(),
    scenario: f.config.plan.name,
    scenario_file: f.config.loaded.file,
    seed: f.config.seed,
    stream_sha256: f.stream.sha256,
    planned_ops: f.stream.totalOps,
    schedule_us: f.scheduleUs,
    config_json: JSON.stringify(f.recordedConfig),
    git_rev: provenance.gitRev,
    git_branch: provenance.gitBranch,
    hotbench_version: provenance.hotbenchVersion,
    pg_version: f.pgVersion,
    clickhouse_version: await f.store.version(),
    redis_version: f.redisVersion,
    node_version: provenance.nodeVersion,
    host_name: provenance.hostName,
    host_cores: provenance.hostCores,
    host_mem_bytes: provenance.hostMemBytes,
    command: f.command,
  };
}
