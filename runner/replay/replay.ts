/**
 * One strategy replay: a fresh database, setup, the op stream on an open-loop
 * schedule, drain, the audit, stop; every outcome, posting, sample, incident
 * and the summary row recorded. A replay never throws: whatever happens ends
 * as a `strategy_runs` row (completed, skipped, failed or interrupted).
 *
 * The folder holds its parts: what it is given (args.ts), which strategies
 * and how they are reached (plan.ts), the strategy's context (context.ts),
 * the samplers (sampling.ts), the row sink (sink.ts) and the ledger checks
 * after drain (ledger-checks.ts).
 */
import pg from 'pg';
import { generateOps, type Plan } from '../../scenarios/index.js';
import { isDoubleEntry, type Strategy } from '../../strategies/contract.js';
import type { StrategyRunRow } from '../../results/rows.js';
import { OpFates } from '../audit/fates.js';
import { ScheduleClock, wallClockUtc } from '../clock.js';
import { UpstreamFeedback } from '../driver/feedback.js';
import { OpenLoopDriver, type DriveResult } from '../driver/open-loop.js';
import { startProgress } from '../driver/progress.js';
import { isUserFacing, oneLine } from '../errors.js';
import { redactUrl } from '../config/redact.js';
import { ReplayRecorder } from './sink.js';
import { strategyContext } from './context.js';
import { startSampler } from './sampling.js';
import { startFaults, type FaultSchedule } from '../faults/schedule.js';
import { postgresFaultTarget } from '../faults/postgres.js';
import { pgToSchedule, syncPgClock } from './pg-clock.js';
import { startPgTelemetry, type PgTelemetry } from '../telemetry/pg-telemetry.js';
import { startLedgerGrowth, type LedgerGrowth } from '../telemetry/ledger-growth.js';
import { warmPools } from './warm-pools.js';
import { checkpointBeforeClock } from './checkpoint.js';
import { favourDriverThread } from '../driver/favour-driver.js';
import { KafkaProvider } from '../stack/kafka.js';
import { describePgError, type PostgresStack, type StrategyDatabase } from '../stack/postgres.js';
import { checkLedger } from './ledger-checks.js';
import type { ReplayArgs } from './args.js';
import { shardOps } from '../../scenarios/shard.js';
import { openSharedDatabase } from '../shard/shared-database.js';
import { shardRowOf } from '../shard/shard-replay.js';
import { mergeShardLedgers } from './merge-shards.js';
import { homeShard } from '../../strategies/shard-placement.js';

export type { ReplayArgs } from './args.js';

const SETUP_TIMEOUT_MS = 300_000;
const DRAIN_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
/** Lead time between the end of setup and the first intended send, so op 0 is not late by construction. */
const LEAD_US = 200_000;

/** The database (and key namespace) of one replay: the same in every load shard of a run, which is how they share one ledger. */
export function replayDatabaseName(runId: string, rep: number, idx: number): string {
  return `hb_${runId.toLowerCase().replace(/[^a-z0-9]/g, '_')}_${rep}_${idx}`;
}

/** Runs one replay and returns its summary row (also pushed to `rows`). */
export async function replayStrategy(args: ReplayArgs): Promise<StrategyRunRow> {
  const { planned, runId, rep, idx } = args;
  const row: StrategyRunRow = {
    run_id: runId,
    strategy: planned.label,
    rep,
    idx,
    name: planned.name,
    backend: '',
    params_json: JSON.stringify(planned.params ?? {}),
    status: 'completed',
    detail: '',
    started_at: wallClockUtc(),
    schedule_us: args.plan.durationUs,
    elapsed_us: 0,
    planned_ops: args.plannedOps,
    sent_ops: 0,
    late_ops: 0,
    late_threshold_us: args.lateThresholdUs,
    concurrency: args.concurrency,
    audited: 0,
    conservation_ok: 0,
    accounts_checked: 0,
  };
  const shard = args.shard;
  let startAtMs = 0;
  let refused = false;
  const finish = (): StrategyRunRow => {
    // A shard's part is not the replay: finalize writes the one strategy_runs row from every shard's.
    if (shard) args.rows.push('shard_runs', shardRowOf(shard, row, startAtMs, refused ? 'refused' : row.status));
    else args.rows.push('strategy_runs', row);
    return row;
  };

  const unmet = args.providers.unmet(planned.needs);
  if (unmet.length > 0) {
    row.status = 'skipped';
    row.detail = unmet.join('; ');
    args.log(`${planned.label}: skipped: ${row.detail}`);
    return finish();
  }

  let database: StrategyDatabase | undefined;
  // The replay's database on every ledger shard, for a strategy that spreads its ledger over them (sharded(...)).
  const shardDbs: { postgres: PostgresStack; database: StrategyDatabase }[] = [];
  const pools: pg.Pool[] = [];
  let strategy: Strategy | undefined;
  let request: { database: StrategyDatabase; namespace: string } | undefined;
  let telemetry: PgTelemetry | undefined;
  let growth: LedgerGrowth | undefined;
  const stopAbort = new AbortController();
  const onOuterAbort = (): void => stopAbort.abort();
  args.abort.addEventListener('abort', onOuterAbort);
  const namespace = replayDatabaseName(runId, rep, idx);
  try {
    database = shard ? await openSharedDatabase(args.postgres.adminUrl, namespace) : await args.postgres.createDatabase(namespace);
    request = { database, namespace };
    const ledgerShards = args.ledgerShards ?? [args.postgres];
    if (planned.ledgerShards === true && !shard && ledgerShards.length > 1) {
      for (const [i, server] of ledgerShards.entries()) shardDbs.push({ postgres: server, database: await server.createDatabase(`${namespace}_s${i}`) });
    }
    const ports = await args.providers.provide(planned.needs, request);
    const schedule = new ScheduleClock(args.clock);
    const fates = new OpFates(args.plannedOps);
    const sink = new ReplayRecorder({ run_id: runId, strategy: planned.label, rep }, args.rows, fates, args.plannedOps);
    // Upstream hears the strategy's signals (on_threshold: stop) and stops sending an account's charges.
    const feedback = new UpstreamFeedback(args.plan.onThreshold ?? 'none', args.plan.notifyLatencyUs ?? 0);
    const db = database;
    const ctx = strategyContext({ postgres: args.postgres, database: db, ...(shardDbs.length > 0 ? { shards: shardDbs } : {}), connections: args.connections, planned, ports, clock: schedule, events: feedback.tee(sink), accounts: args.plan.accounts, abort: stopAbort.signal, pools, log: args.log });

    // A strategy planned behind HTTP (runner/http/via.ts) uses these facts; a direct one ignores them.
    const kafka = args.providers.get('kafka');
    strategy = planned.create({ postgres: args.postgres, database: db, namespace, connections: args.connections, ...(kafka instanceof KafkaProvider ? { kafkaBrokers: kafka.brokers } : {}) });
    await withTimeout(strategy.setup(ctx), SETUP_TIMEOUT_MS, 'setup');
    row.backend = strategy.backend;

    await withTimeout(warmPools(pools), SETUP_TIMEOUT_MS, 'opening the connection pools');
    // Same server state for every replay; a strategy without PostgreSQL has nothing there to settle.
    const checkpoint = planned.needs.includes('postgres') ? await checkpointBeforeClock(args.postgres.adminUrl, SETUP_TIMEOUT_MS) : undefined;
    for (const s of shardDbs.slice(1)) await checkpointBeforeClock(s.postgres.adminUrl, SETUP_TIMEOUT_MS);

    const ledger = new pg.Pool({ connectionString: db.url, max: 2, application_name: 'hotbench:auditor' });
    ledger.on('error', () => undefined);
    pools.push(ledger);
    const sync = await syncPgClock(ledger, args.clock);
    let origin = args.clock.now() + LEAD_US;
    if (shard) {
      // Every shard puts its time 0 at the agreed instant, so an op's intended time means the same on all of them.
      startAtMs = await shard.start(`${rep}/${idx}/${planned.label}`);
      origin = args.clock.now() + Math.round((startAtMs - Date.now()) * 1000);
      args.rows.push('shard_runs', shardRowOf(shard, row, startAtMs, 'started'));
    }
    schedule.start(origin);
    row.started_at = wallClockUtc();
    if (checkpoint && !checkpoint.taken) sink.note('checkpoint_skipped', `no CHECKPOINT before the clock (${checkpoint.reason}): a checkpoint of the server's own may land inside this replay`, 0);
    const driver = new OpenLoopDriver(strategy, sink, {
      clock: schedule,
      concurrency: args.concurrency,
      lateThresholdUs: args.lateThresholdUs,
      abort: args.abort,
      gate: feedback,
    });
    sink.note('ledger_model', describeModel(args.plan), 0);
    // A strategy that needs no PostgreSQL keeps no ledger (e.g. bench:driver's no-op): nothing to audit or sample there.
    const keepsLedger = planned.needs.includes('postgres');
    // With shards, the ledger-wide series (hot balances, server telemetry) come from shard 0 alone; each shard's own series carry its index.
    const ledgerSeries = keepsLedger && (shard === undefined || shard.spec.index === 0);
    // A sharded ledger's series: balances summed over the shards; server telemetry from the shard of the first hot account (where its lock queue is).
    const balanceUrls = shardDbs.length > 0 ? shardDbs.map((s) => s.database.url) : [db.url];
    const watched = shardDbs.length > 0 ? (shardDbs[hotShardOf(args.plan, shardDbs.length)] ?? shardDbs[0]!) : { postgres: args.postgres, database: db };
    if (shardDbs.length > 0) sink.note('ledger_shards', `${shardDbs.length} ledger shards (${shardDbs.map((s, i) => `${i}: ${s.postgres.description}`).join('; ')}); lock and growth series from shard ${shardDbs.indexOf(watched)}`, 0);
    const sampler = startSampler(strategy, driver, schedule, sink, balanceUrls, ledgerSeries ? args.plan : { ...args.plan, accounts: [] }, shard ? `@${shard.spec.index}` : '');
    // Lock waiters, commits, WAL of the strategy's database, polled from the maintenance database so the poller's own work is not counted.
    if (ledgerSeries) telemetry = startPgTelemetry({ url: watched.postgres.adminUrl, database: watched.database.name, clock: schedule, sample: (name, value, at) => sink.sample(name, value, at) });
    // The ledger's growth (dead tuples, rows, bytes), once a second from inside its database: why capacity depends on run length.
    if (ledgerSeries) growth = startLedgerGrowth({ url: watched.database.url, clock: schedule, sample: (name, value, at) => sink.sample(name, value, at) });
    const stopProgress = startProgress({
      mode: args.progress,
      label: `${planned.label} [${strategy.backend}]`,
      scheduleUs: args.plan.durationUs,
      snapshot: () => driver.snapshot(),
    });
    const faults: FaultSchedule | undefined =
      args.faults && args.faults.length > 0
        ? startFaults({ faults: args.faults, clock: schedule, strategy, needs: planned.needs, providers: args.providers, postgres: postgresFaultTarget(args.postgres), request, events: sink, counts: () => driver.snapshot(), log: ctx.log })
        : undefined;
    let result: DriveResult;
    const stopFavouring = favourDriverThread();
    try {
      result = await driver.run(shard ? shardOps(generateOps(args.plan), shard.spec) : generateOps(args.plan));
    } finally {
      stopFavouring();
      stopProgress();
      await faults?.stop(); // before drain: a fault never lands in drain or the audit
    }
    row.sent_ops = result.sent;
    row.late_ops = result.late;
    if (result.suppressed > 0) sink.note('suppressed', `${result.suppressed} charges not sent: upstream had stopped their accounts' delivery on the strategy's budget signal (on_threshold: stop)`, schedule.now());

    try {
      await withTimeout(strategy.drain(), DRAIN_TIMEOUT_MS, 'drain');
    } catch (err) {
      row.detail = `drain: ${oneLine(err)}`;
      sink.note('drain_failed', row.detail, schedule.now());
    }
    row.elapsed_us = Math.max(result.lastAckUs, schedule.now());
    await sampler.stop();
    const polled = await telemetry?.stop();
    const grown = await growth?.stop();
    if (grown?.firstError) sink.note('telemetry_failed', `ledger growth sampling failed: ${grown.firstError}`, schedule.now());
    if (polled?.firstError) sink.note('telemetry_failed', `${polled.errors} PostgreSQL telemetry polls failed (${polled.polls} succeeded): ${polled.firstError}`, schedule.now());

    if (shard) {
      // The audit needs every shard's outcomes and the ledger once all are done: finalize runs it.
      await args.rows.flush();
      if (result.interrupted) {
        row.status = 'interrupted';
        row.detail = `interrupted after ${result.sent} of ${shard.shardOps} ops of shard ${shard.spec.index}/${shard.spec.count}`;
      }
      return finish();
    }
    if (!keepsLedger) sink.note('audit_skipped', `${planned.label} needs no PostgreSQL, so it keeps no ledger: the audit and the ledger analyses were skipped`, schedule.now());
    if (keepsLedger && shardDbs.length > 0) {
      try {
        const merged = await mergeShardLedgers(ledger, shardDbs.map((s) => s.database.url), args.plan.accounts);
        sink.note('ledger_shards_merged', `audited as one ledger: ${merged.accounts.map((a, i) => `shard ${i} ${a} accounts, ${merged.entries[i]} entries`).join('; ')}`, schedule.now());
      } catch (err) {
        sink.note('ledger_shards_merge_failed', `the shards' ledgers could not be gathered for the audit: ${describePgError(err)}`, schedule.now());
      }
    }
    if (keepsLedger) {
      const summary = await checkLedger({ args, ledger, url: db.url, fates, pgToScheduleUs: pgToSchedule(sync, origin), pgClockUncertaintyUs: sync.uncertaintyUs });
      if (summary) {
        row.audited = 1;
        row.conservation_ok = summary.conservationOk ? 1 : 0;
        row.accounts_checked = summary.accountsChecked;
      }
    } else {
      await args.rows.flush();
    }
    if (sink.strayPostings > 0) sink.note('stray_postings', `${sink.strayPostings} postings reported for ops that were not accepted or twice`, schedule.now());
    if (result.interrupted) {
      row.status = 'interrupted';
      row.detail = `interrupted after ${result.sent} of ${args.plannedOps} ops`;
    }
  } catch (err) {
    row.status = args.abort.aborted ? 'interrupted' : 'failed';
    row.detail = oneLine(err);
    refused = shard !== undefined && isUserFacing(err); // late, duplicate index, barrier abandoned: nothing sent
    args.log(`${planned.label}: ${row.status}: ${row.detail}`);
  } finally {
    args.abort.removeEventListener('abort', onOuterAbort);
    stopAbort.abort();
    await telemetry?.stop(); // idempotent; ends the poller on a failed replay too
    await growth?.stop();
    if (strategy) await withTimeout(strategy.stop(), STOP_TIMEOUT_MS, 'stop').catch(() => undefined);
    // Ports are released after stop (a strategy may use them while stopping), on every path.
    if (request) await args.providers.release(planned.needs, request);
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
    // A load shard never drops the ledger the other shards share: finalize does, once it has audited it.
    if (database && args.keepDatabases && !shard) {
      database.keep?.();
      // A note of the replay's (the sink lives inside the try): the report lists kept databases.
      args.rows.push('events', { run_id: runId, strategy: planned.label, rep, at_us: row.elapsed_us, type: 'note', kind: 'database_kept', account: -1, detail: `${database.name} on ${redactUrl(args.postgres.adminUrl)}` });
      for (const s of shardDbs) {
        s.database.keep?.();
        args.rows.push('events', { run_id: runId, strategy: planned.label, rep, at_us: row.elapsed_us, type: 'note', kind: 'database_kept', account: -1, detail: `${s.database.name} on ${redactUrl(s.postgres.adminUrl)}` });
      }
    } else if (database && !shard) {
      await database.drop();
      for (const s of shardDbs) await s.database.drop();
    }
  }
  return finish();
}

/** The ledger shard holding the plan's first hot customer account (platform accounts are on every shard); 0 when there is none. */
function hotShardOf(plan: Plan, shards: number): number {
  const hot = plan.accounts.find((a) => a.hot && a.role === undefined);
  return hot === undefined ? 0 : homeShard(hot.id, shards);
}

/** One line: the ledger model and upstream's feedback this replay ran under (reports say which). */
function describeModel(plan: Plan): string {
  const ledger = isDoubleEntry(plan.accounts)
    ? 'double entry: charges credit the platform revenue account, withdrawals and adjustments go through the settlement account, top-ups come from the external clearing account'
    : 'single entry: each op changes its own account only (counterparty: none)';
  const upstream = plan.onThreshold === 'stop' ? `upstream stops an account's charges ${plan.notifyLatencyUs / 1000} ms after its budget_exhausted signal` : 'upstream ignores budget signals (no feedback)';
  return `${ledger}; ${upstream}`;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
