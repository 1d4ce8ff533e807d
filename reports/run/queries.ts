/**
 * Reports are queries over the results store (DESIGN.md §5, §6): this module
 * builds a {@link RunReport} and the run list from ClickHouse alone. It
 * imports nothing from the runner or the strategies.
 */
import type { StrategyRunRow } from '../../results/rows.js';
import type { Store } from '../../results/store.js';
import { StoreError } from '../../results/errors.js';
import {
  selectEventCounts,
  selectEvents,
  selectIncidentCounts,
  selectOpStats,
  selectPostingStats,
  selectRecentRuns,
  selectRejects,
  selectRun,
  selectRunCount,
  selectRunEnd,
  selectRunStatuses,
  selectRunStrategies,
  selectStrategyRuns,
  type EventItem,
  type OpStats,
  type PostingStats,
} from './run-sql.js';
import { replayKeyOf, type ReplayKey } from '../../results/rows.js';
import { RUN_REPORT_FORMAT, type BulkJobs, type ReportEvent, type RunListItem, type RunProvenance, type RunReport, type StrategyReport } from '../common/report-types.js';
import { loadRunSeries } from './html/load-series.js';
import { selectTelemetryStats, type TelemetryStats } from './telemetry-sql.js';
import { selectBatchIntervals } from '../noise/batch-sql.js';
import { judge } from './verdict.js';
import { selectBulkJobs } from './bulk-jobs.js';
import { sloOfConfig } from '../common/slo.js';

export type { BulkJob, BulkJobs, LatencySummary, ReportEvent, RunListItem, RunProvenance, RunReport, RunStatus, ReplayStatus, StrategyReport } from '../common/report-types.js';
export { RUN_REPORT_FORMAT } from '../common/report-types.js';

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Events kept per replay in the report. */
const EVENTS_PER_REPLAY = 100;

/** Throws a one-line `StoreError` unless `runId` is a valid run id (`^[A-Za-z0-9_-]{1,64}$`). */
export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId)) throw new StoreError(`run id ${JSON.stringify(runId)} is not valid: it has 1 to 64 letters, digits, - and _ (see \`hotbench runs\`).`);
  return runId;
}

/** True when the store holds a run with this id. Throws on an invalid id. */
export async function runExists(store: Store, runId: string): Promise<boolean> {
  return (await selectRunCount(store, checkRunId(runId))) > 0;
}

/**
 * Recent runs, newest first (by start time): id, start, scenario, status,
 * strategy labels and planned ops. `limit` defaults to 20 (1..10 000).
 */
export async function listRuns(store: Store, options: { readonly limit?: number } = {}): Promise<RunListItem[]> {
  const limit = Math.min(10_000, Math.max(1, Math.floor(options.limit ?? 20)));
  const heads = await selectRecentRuns(store, limit);
  if (heads.length === 0) return [];
  const ids = heads.map((h) => h.run_id);
  const [statuses, strategies] = await Promise.all([selectRunStatuses(store, ids), selectRunStrategies(store, ids)]);
  const statusOf = new Map(statuses.map((s) => [s.run_id, s.status]));
  return heads.map((h) => ({
    run_id: h.run_id,
    started_at: h.started_at,
    scenario: h.scenario,
    status: statusOf.get(h.run_id) ?? 'incomplete',
    strategies: [...new Set(strategies.filter((s) => s.run_id === h.run_id).map((s) => s.strategy))],
    planned_ops: h.planned_ops,
    command: h.command,
  }));
}

/**
 * Builds the report of `runId` from the store. Throws a one-line
 * `StoreError` when the id is invalid or no such run was recorded.
 */
export async function loadRunReport(store: Store, runId: string): Promise<RunReport> {
  checkRunId(runId);
  const [run, end, summaries, opStats, rejects, postings, incidents, eventCounts, events, telemetry, jobs] = await Promise.all([
    selectRun(store, runId),
    selectRunEnd(store, runId),
    selectStrategyRuns(store, runId),
    selectOpStats(store, runId),
    selectRejects(store, runId),
    selectPostingStats(store, runId),
    selectIncidentCounts(store, runId),
    selectEventCounts(store, runId),
    selectEvents(store, runId, EVENTS_PER_REPLAY),
    selectTelemetryStats(store, runId),
    selectBulkJobs(store, runId),
  ]);
  if (!run) throw new StoreError(`no run ${runId} in ${store.description}: see \`hotbench runs\` for the recorded ones.`);

  const config = parseJson(run.config_json);
  const provenance: RunProvenance = {
    run_id: run.run_id,
    started_at: run.started_at,
    finished_at: end?.finished_at ?? null,
    status: end?.status ?? 'incomplete',
    status_reason: end ? end.reason : 'no end was recorded: the run was killed, or is still running',
    command: run.command,
    scenario: run.scenario,
    scenario_file: run.scenario_file,
    seed: run.seed,
    stream_sha256: run.stream_sha256,
    planned_ops: run.planned_ops,
    schedule_us: run.schedule_us,
    config,
    git: { rev: run.git_rev, branch: run.git_branch },
    versions: { hotbench: run.hotbench_version, node: run.node_version, postgres: run.pg_version, clickhouse: run.clickhouse_version, redis: run.redis_version, kafka: kafkaVersionOf(config) },
    host: { name: run.host_name, cores: run.host_cores, mem_bytes: run.host_mem_bytes },
  };

  const byKey = <T extends ReplayKey>(rows: readonly T[]) => {
    const map = new Map<string, T[]>();
    for (const r of rows) {
      const list = map.get(replayKeyOf(r));
      if (list) list.push(r);
      else map.set(replayKeyOf(r), [r]);
    }
    return map;
  };
  const ops = new Map(opStats.map((o) => [replayKeyOf(o), o]));
  const posts = new Map(postings.map((p) => [replayKeyOf(p), p]));
  const rejectsOf = byKey(rejects);
  const incidentsOf = byKey(incidents);
  const eventCountsOf = byKey(eventCounts);
  const eventsOf = byKey(events);
  const telemetryOf = new Map(telemetry.map((t) => [replayKeyOf(t), t]));

  // Replays with ops but no summary row were cut short (the process died mid-replay).
  const replays: { key: ReplayKey; summary: StrategyRunRow | undefined }[] = summaries.map((s) => ({ key: s, summary: s }));
  const known = new Set(summaries.map(replayKeyOf));
  const orphans = opStats.filter((o) => !known.has(replayKeyOf(o))).sort((a, b) => a.rep - b.rep || (a.strategy < b.strategy ? -1 : a.strategy > b.strategy ? 1 : 0));
  for (const o of orphans) replays.push({ key: o, summary: undefined });

  const strategies = replays.map(({ key, summary }) =>
    strategyReport(key, summary, run.planned_ops, run.schedule_us, {
      ops: ops.get(replayKeyOf(key)),
      postings: posts.get(replayKeyOf(key)),
      rejects: rejectsOf.get(replayKeyOf(key)) ?? [],
      incidents: incidentsOf.get(replayKeyOf(key)) ?? [],
      eventCounts: eventCountsOf.get(replayKeyOf(key)) ?? [],
      events: eventsOf.get(replayKeyOf(key)) ?? [],
      telemetry: telemetryOf.get(replayKeyOf(key)),
      jobs: jobs.get(replayKeyOf(key)),
    }),
  );
  const runEvents = events.filter((e) => e.strategy === '').map(toEvent);
  const series = await loadRunSeries(store, runId, strategies);
  // Labels replayed once get their SLO checks and headline intervals from the batch means of their seconds.
  const completedPerLabel = new Map<string, number>();
  for (const s of strategies) if (s.status === 'completed') completedPerLabel.set(s.label, (completedPerLabel.get(s.label) ?? 0) + 1);
  const batches = [...completedPerLabel.values()].some((n) => n === 1) ? await selectBatchIntervals(store, runId, run.schedule_us) : undefined;
  return { format: RUN_REPORT_FORMAT, run: provenance, strategies, events: runEvents, series, verdict: judge({ strategies }, sloOfConfig(provenance.config), batches) };
}

interface ReplayRows {
  readonly ops: OpStats | undefined;
  readonly postings: PostingStats | undefined;
  readonly rejects: readonly { readonly reason: string; readonly n: number }[];
  readonly incidents: readonly { readonly kind: string; readonly n: number; readonly amount: number }[];
  readonly eventCounts: readonly { readonly type: string; readonly n: number }[];
  readonly events: readonly EventItem[];
  readonly telemetry: TelemetryStats | undefined;
  readonly jobs: BulkJobs | undefined;
}

function strategyReport(key: ReplayKey, summary: StrategyRunRow | undefined, runPlanned: number, runScheduleUs: number, rows: ReplayRows): StrategyReport {
  const o = rows.ops;
  const recorded = o?.recorded ?? 0;
  const acked = o?.acked ?? 0;
  const planned = summary?.planned_ops ?? runPlanned;
  const scheduleUs = summary?.schedule_us ?? runScheduleUs;
  const windowUs = Math.max(scheduleUs, o && acked > 0 ? o.last_ack_us : 0);
  const good = (o?.applied ?? 0) + (o?.accepted ?? 0);
  const share = (n: number) => (recorded > 0 ? n / recorded : 0);
  const rejected = o?.rejected ?? 0;
  const kinds: Record<string, { count: number; amount: number }> = {};
  for (const i of rows.incidents) kinds[i.kind] = { count: i.n, amount: i.amount };
  const kindCount = (k: string) => kinds[k]?.count ?? 0;
  const eventCount = (t: string) => rows.eventCounts.find((e) => e.type === t)?.n ?? 0;
  const lockOps = o?.lock_ops ?? 0;
  const p = rows.postings;
  const t = rows.telemetry;

  return {
    label: key.strategy,
    name: summary?.name ?? key.strategy.split(/[:(]/)[0]!,
    backend: summary?.backend ?? '',
    rep: key.rep,
    idx: summary?.idx ?? -1,
    status: summary?.status ?? 'interrupted',
    detail: summary ? summary.detail : 'no summary was recorded: the run stopped during this replay',
    params: parseJson(summary?.params_json ?? '{}'),
    started_at: summary?.started_at ?? null,
    schedule_us: scheduleUs,
    elapsed_us: summary?.elapsed_us ?? Math.max(0, o?.last_ack_us ?? 0),
    ops: {
      planned,
      sent: summary?.sent_ops ?? recorded - (o?.unsent ?? 0),
      late: summary?.late_ops ?? 0,
      late_threshold_us: summary?.late_threshold_us ?? 0,
      recorded,
      acked,
      concurrency: summary?.concurrency ?? 0,
    },
    // A replay with no op recorded (skipped, failed in setup) offered nothing.
    offered_per_s: recorded > 0 && scheduleUs > 0 ? planned / (scheduleUs / 1e6) : null,
    goodput_per_s: recorded > 0 && windowUs > 0 ? good / (windowUs / 1e6) : null,
    goodput_window_us: windowUs,
    money_safe_goodput_per_s: recorded > 0 && windowUs > 0 ? Math.max(0, good - kindCount('lost') - kindCount('duplicated') - kindCount('overdraft')) / (windowUs / 1e6) : null,
    ledger_model: rows.events.find((e) => e.type === 'note' && e.kind === 'ledger_model')?.detail ?? '',
    by_status: { applied: o?.applied ?? 0, accepted: o?.accepted ?? 0, rejected, unsent: o?.unsent ?? 0, suppressed: o?.suppressed ?? 0 },
    rejects: { total: rejected, share: share(rejected), by_reason: rows.rejects.map((r) => ({ reason: r.reason, count: r.n, share: share(r.n) })) },
    ack_latency_us: {
      count: acked,
      p50: acked > 0 ? o!.ack_q[0]! : null,
      p90: acked > 0 ? o!.ack_q[1]! : null,
      p99: acked > 0 ? o!.ack_q[2]! : null,
      p999: acked > 0 ? o!.ack_q[3]! : null,
      max: acked > 0 ? o!.ack_max : null,
    },
    posting_delay_us: {
      posted: p?.posted ?? 0,
      p50: p && p.posted > 0 ? p.delay_q[0]! : null,
      p99: p && p.posted > 0 ? p.delay_q[1]! : null,
      max: p && p.posted > 0 ? p.delay_max : null,
    },
    lock_wait: { ops: lockOps, total_s: (o?.lock_sum_us ?? 0) / 1e6, p99_us: lockOps > 0 ? o!.lock_p99_us : null },
    lock_wait_sampled: {
      polls: t?.polls ?? 0,
      total_s: t && t.polls > 0 ? t.lock_wait_us / 1e6 : null,
      max_waiters: t && t.polls > 0 ? t.max_waiters : null,
    },
    stop_delivery: {
      signalled: t?.signalled ?? 0,
      missed: kindCount('stop_delivery_missed'),
      max_delay_us: t && t.signalled > 0 ? t.max_stop_delay_us : null,
    },
    lag: {
      consumer_max_ops: t && t.consumer_lag_polls > 0 ? t.max_consumer_lag : null,
      replication_max_us: t && t.replication_lag_polls > 0 ? t.max_replication_lag_us : null,
    },
    overdrafts: { count: kindCount('overdraft'), amount: kinds['overdraft']?.amount ?? 0 },
    incidents: {
      lost: kindCount('lost'),
      duplicated: kindCount('duplicated'),
      phantom: kindCount('phantom'),
      mismatch: kindCount('mismatch'),
      conservation: kindCount('conservation'),
      global_conservation: kindCount('global_conservation'),
      false_declines: kindCount('false_decline'),
      stale_reads: kindCount('stale_read'),
      by_kind: kinds,
    },
    conservation: {
      audited: summary?.audited === 1,
      ok: summary?.audited === 1 ? summary.conservation_ok === 1 : null,
      accounts_checked: summary?.accounts_checked ?? 0,
    },
    events: { signals: eventCount('signal'), notes: eventCount('note'), items: rows.events.map(toEvent) },
    bulk_jobs: rows.jobs ?? null,
  };
}

function toEvent(e: EventItem): ReportEvent {
  return { at_us: e.at_us, type: e.type, kind: e.kind, account: e.account, detail: e.detail };
}

/** The Kafka release a run recorded in its config (`kafka_version`), or ''. */
function kafkaVersionOf(config: unknown): string {
  const v = typeof config === 'object' && config !== null ? (config as Record<string, unknown>)['kafka_version'] : undefined;
  return typeof v === 'string' ? v : '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
