/**
 * `hotbench finalize <run-id>`: turns the load shards' records into one run.
 *
 * It waits until every shard of every replay ended (or names the ones that
 * did not), checks that they replayed one stream, and then, per replay:
 * rebuilds what callers were told about every op from the recorded `ops`
 * rows of all shards, checks the merged stream (the recorded ops in id order
 * hash to the unsharded stream's sha256), audits the shared ledger once, and
 * writes the one `strategy_runs` row. Then the run's `runs` and `run_ends`
 * rows, so every report (`report`, `compare`, ...) reads a sharded run like
 * any other: its percentiles are computed over all raw ops.
 *
 * Nothing is written until every shard ended, so a finalize that is too
 * early changes nothing and can simply be run again.
 */
import pg from 'pg';
import { compilePlan, generateOps, loadScenario, StreamHasher, type Plan } from '../../scenarios/index.js';
import type { OpKind } from '../../strategies/contract.js';
import type { RunRow, ShardRunRow, StrategyRunRow } from '../../results/rows.js';
import type { Store } from '../../results/store.js';
import { audit, type AuditSummary } from '../audit/auditor.js';
import { OpFates } from '../audit/fates.js';
import { wallClockUtc } from '../clock.js';
import { oneLine, UserError } from '../errors.js';
import { runAnalyses } from '../analysis/index.js';
import type { RowSink } from '../replay/sink.js';
import { replayDatabaseName } from '../replay/replay.js';
import { describePgError } from '../stack/postgres.js';
import { readStages, waitingFor, type StageStatus } from './finalize-status.js';
import { databaseUrl, dropSharedDatabase } from './shared-database.js';

/** Options for {@link finalizeRun}. */
export interface FinalizeOptions {
  readonly store: Store;
  /** Where the rows go (a Recorder on `store`); flushed by the caller. */
  readonly rows: RowSink & { flush(): Promise<unknown> };
  /** The PostgreSQL server the shards' ledgers live on (contains the password: never printed). */
  readonly pgUrl: string;
  readonly runId: string;
  /** Wait this long for shards still running, ms (0 = look once). */
  readonly waitMs: number;
  /** Keep the shared ledger databases after the audit. */
  readonly keepDatabases: boolean;
  readonly abort?: AbortSignal;
  log(line: string): void;
}

/** One finalized replay. */
export interface FinalizedStage {
  readonly strategy: string;
  readonly rep: number;
  readonly row: StrategyRunRow;
  readonly audit: AuditSummary | undefined;
  /** sha256 of the recorded ops of every shard in id order, and whether it equals the unsharded stream's. */
  readonly mergedSha256: string;
  readonly mergedMatches: boolean;
  readonly recordedOps: number;
}

/** What finalize produced. */
export interface FinalizeResult {
  readonly status: 'complete' | 'incomplete';
  readonly stages: readonly FinalizedStage[];
  readonly shards: number;
}

const POLL_MS = 2_000;
const FATES_CHUNK = 1_000_000;

/** Finalizes run `runId`; throws a one-line `UserError` when it cannot (nothing written then). */
export async function finalizeRun(o: FinalizeOptions): Promise<FinalizeResult> {
  const done = await o.store.query<{ n: number }>('SELECT count() AS n FROM runs WHERE run_id = {run:String}', { run: o.runId });
  if ((done[0]?.n ?? 0) > 0) throw new UserError(`run ${o.runId} is already finalized: \`hotbench report ${o.runId}\` renders it`);
  const deadline = Date.now() + o.waitMs;
  let stages: StageStatus[];
  for (;;) {
    stages = await readStages(o.store, o.runId);
    // A finalize pod may start before any shard pod has recorded anything: wait for the first record too.
    if (stages.length === 0 && (Date.now() >= deadline || o.abort?.aborted)) throw new UserError(`run ${o.runId} has no shard records in ${o.store.description}: start its shards with \`hotbench run --shard i/n --run-id ${o.runId}\` against this --clickhouse`);
    const waiting = stages.length === 0 ? { missing: [], running: ['no shard has recorded its start yet'] } : waitingFor(stages, Date.now());
    if (waiting.missing.length > 0) throw new UserError(`run ${o.runId} cannot be finalized: ${waiting.missing.join('; ')}. What the other shards recorded is kept; rerun the whole run with a new --run-id`, 3);
    if (waiting.running.length === 0) break;
    if (Date.now() >= deadline || o.abort?.aborted) throw new UserError(`run ${o.runId} is not finished: ${waiting.running.join('; ')}. Nothing was written: run \`hotbench finalize ${o.runId}\` again when they end (or give --wait)`, 3);
    o.log(`finalize: waiting for ${waiting.running.length} shard${waiting.running.length > 1 ? 's' : ''} (${waiting.running[0]})`);
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }

  const all = stages.flatMap((s) => [...s.rows.values()]);
  const first = all.find((r) => r.run_json !== '') ?? all[0]!;
  const other = all.find((r) => r.stream_sha256 !== first.stream_sha256 || r.shards !== first.shards);
  if (other) throw new UserError(`run ${o.runId}: shard ${other.shard}/${other.shards} replayed another stream (${other.stream_sha256.slice(0, 12)}…) than shard ${first.shard}/${first.shards} (${first.stream_sha256.slice(0, 12)}…): start every shard with the same scenario, seed, duration and rate scale`);
  const run = JSON.parse(first.run_json) as RunRow;
  const plan = await planOf(run);

  const finalized: FinalizedStage[] = [];
  for (const stage of stages) finalized.push(await finalizeStage(o, stage, plan, run));
  const status = finalized.every((s) => s.row.status === 'completed') ? 'complete' : 'incomplete';
  o.rows.push('runs', { ...run, started_at: minStart(all), command: `${run.command} (${first.shards} shards, finalized)` });
  o.rows.push('run_ends', { run_id: o.runId, finished_at: wallClockUtc(), status, reason: status === 'complete' ? '' : finalized.filter((s) => s.row.status !== 'completed').map((s) => `${s.strategy}: ${s.row.detail}`).join('; ').slice(0, 500) });
  await o.rows.flush();
  return { status, stages: finalized, shards: first.shards };
}

/** Recompiles the plan the shards ran from the recorded run row, and checks it is the same stream. */
async function planOf(run: RunRow): Promise<Plan> {
  const config = JSON.parse(run.config_json) as { rate_scale?: number };
  let plan: Plan;
  try {
    plan = compilePlan(await loadScenario(run.scenario_file), { seed: run.seed, durationUs: run.schedule_us, rateScale: config.rate_scale ?? 1 });
  } catch (err) {
    throw new UserError(`finalize needs the scenario file the shards replayed (${run.scenario_file}): ${oneLine(err)}`);
  }
  const hasher = new StreamHasher();
  for (const op of generateOps(plan)) hasher.add(op);
  const sha = hasher.digest();
  if (sha !== run.stream_sha256) throw new UserError(`the scenario file ${run.scenario_file} no longer gives the stream the shards replayed (${sha.slice(0, 12)}… vs ${run.stream_sha256.slice(0, 12)}…): restore the file they ran`);
  return plan;
}

async function finalizeStage(o: FinalizeOptions, stage: StageStatus, plan: Plan, run: RunRow): Promise<FinalizedStage> {
  const parts = [...stage.rows.values()];
  const firstPart = parts[0]!;
  const key = { run_id: o.runId, strategy: stage.strategy, rep: stage.rep };
  const fates = new OpFates(run.planned_ops);
  const merged = await mergedStream(o.store, key, fates);
  const notEnded = parts.filter((p) => p.status !== 'completed');
  const row: StrategyRunRow = {
    ...key,
    idx: stage.idx,
    name: firstPart.name,
    backend: parts.find((p) => p.backend !== '')?.backend ?? '',
    params_json: firstPart.params_json,
    status: notEnded.length === 0 ? 'completed' : notEnded.every((p) => p.status === 'skipped') ? 'skipped' : 'interrupted',
    detail: notEnded.map((p) => `shard ${p.shard}/${p.shards} ${p.status}${p.detail ? `: ${p.detail}` : ''}`).join('; ').slice(0, 500),
    started_at: minStart(parts),
    schedule_us: firstPart.schedule_us,
    elapsed_us: Math.max(...parts.map((p) => p.elapsed_us)),
    planned_ops: run.planned_ops,
    sent_ops: parts.reduce((n, p) => n + p.sent_ops, 0),
    late_ops: parts.reduce((n, p) => n + p.late_ops, 0),
    late_threshold_us: firstPart.late_threshold_us,
    concurrency: parts.reduce((n, p) => n + p.concurrency, 0),
    audited: 0,
    conservation_ok: 0,
    accounts_checked: 0,
  };
  let summary: AuditSummary | undefined;
  if (row.status !== 'skipped') {
    const name = replayDatabaseName(o.runId, stage.rep, stage.idx);
    const url = databaseUrl(o.pgUrl, name);
    const ledger = new pg.Pool({ connectionString: url, max: 2, application_name: 'hotbench:finalize' });
    ledger.on('error', () => undefined);
    try {
      summary = await audit({ pool: ledger, accounts: plan.accounts, ops: () => generateOps(plan), fates }, (i) =>
        o.rows.push('incidents', { ...key, kind: i.kind, op_id: i.opId, account: i.account, amount: i.amount, at_us: -1, detail: i.detail }),
      );
      row.audited = 1;
      row.conservation_ok = summary.conservationOk ? 1 : 0;
      row.accounts_checked = summary.accountsChecked;
      await o.rows.flush();
      // The shards' schedules started at one agreed instant on PostgreSQL's clock: ledger times map onto it directly.
      const startUs = firstPart.start_at_ms * 1000;
      await runAnalyses({ key, strategyName: row.name, ledger, store: o.store, plan, fates, pgToScheduleUs: (us) => us - startUs, pgClockUncertaintyUs: 1_000, rows: o.rows, log: (line) => o.log(`${row.strategy}: ${line}`) });
    } catch (err) {
      o.log(`${row.strategy}: audit failed: ${describePgError(err, url)}`);
    } finally {
      await ledger.end().catch(() => undefined);
    }
    if (!o.keepDatabases && row.audited === 1) await dropSharedDatabase(o.pgUrl, name).catch(() => undefined);
  }
  o.rows.push('strategy_runs', row);
  return { strategy: row.strategy, rep: row.rep, row, audit: summary, mergedSha256: merged.sha256, mergedMatches: merged.sha256 === run.stream_sha256, recordedOps: merged.count };
}

/**
 * Reads every recorded op of the replay (all shards) in id order, in chunks:
 * fills the fates the audit needs and hashes the ops exactly as the
 * generator serializes them, so the digest equals the unsharded stream's
 * when the shards' union is that stream.
 */
async function mergedStream(store: Store, key: { run_id: string; strategy: string; rep: number }, fates: OpFates): Promise<{ sha256: string; count: number }> {
  const hasher = new StreamHasher();
  for (let from = 0; from < fates.size; from += FATES_CHUNK) {
    const rows = await store.query<{ op_id: number; at: number; kind: OpKind; account: number; amount: number; job: number; status: string; reason: string }>(
      `SELECT op_id, intended_us AS at, kind, account, amount, job, status, reason FROM ops
       WHERE run_id = {run:String} AND strategy = {strategy:String} AND rep = {rep:UInt32} AND op_id >= {from:UInt64} AND op_id < {to:UInt64} ORDER BY op_id`,
      { run: key.run_id, strategy: key.strategy, rep: key.rep, from, to: from + FATES_CHUNK },
    );
    for (const r of rows) {
      hasher.add({ id: r.op_id, at: r.at, kind: r.kind, account: r.account, amount: r.amount, job: r.job });
      if (r.status === 'applied' || r.status === 'accepted') fates.set(r.op_id, 'promised');
      else if (r.status === 'rejected') fates.set(r.op_id, r.reason === 'timeout' || r.reason === 'error' ? 'unknown' : 'rejected');
    }
  }
  return { sha256: hasher.digest(), count: hasher.count };
}

function minStart(rows: readonly ShardRunRow[]): string {
  return rows.map((r) => r.written_at).sort()[0] ?? wallClockUtc();
}
