/**
 * The run report: everything `loadRunReport` reads back from ClickHouse for
 * one run. This type IS the `report.json` format (keys written in
 * alphabetical order, see `render-json.ts`); the terminal, Markdown and HTML
 * renderers are pure functions of it, so all of them show the same numbers.
 *
 * Units are in the names: `_us` = microseconds, `_s` = seconds, `_per_s` =
 * ops per second, `share` = a fraction of 1 (0.25 = 25 %), amounts = integer
 * minor currency units. A metric with nothing to measure is `null`, never 0.
 *
 * Percentiles follow ClickHouse `quantileExact`'s rule (computed in bounded
 * memory by `exact-quantiles.ts`): the value at 0-based rank
 * floor(q · n) of the n sorted observations (an observed value, no
 * interpolation; rank n − 1 for q = 1).
 */

import type { RunSeries } from './series-types.js';
import type { ReplayStatus, Verdict } from './verdict-types.js';

export type { ReplayStatus } from './verdict-types.js';

/** Identifies this JSON format; bumped on an incompatible change. */
export const RUN_REPORT_FORMAT = 'hotbench-run-report/1';

/** Final status of a run. `incomplete` also when no end was recorded (the process was killed, or is still running). */
export type RunStatus = 'complete' | 'incomplete' | 'failed';

/** A whole run, as recorded. */
export interface RunReport {
  /** Always {@link RUN_REPORT_FORMAT}. */
  readonly format: typeof RUN_REPORT_FORMAT;
  readonly run: RunProvenance;
  /** One entry per strategy replay (per label and repetition), in run order: repetition, then position. */
  readonly strategies: readonly StrategyReport[];
  /** Run-level events (not tied to a strategy): runner notes such as faults and spooling. At most 100, earliest first. */
  readonly events: readonly ReportEvent[];
  /** Per-second series behind the HTML charts (bounded: see `html/series-types.ts`). */
  readonly series: RunSeries;
  /** The decision: which strategies meet the run's SLO and the one to pick (see `verdict.ts`). */
  readonly verdict: Verdict;
}

/** Where a run's numbers come from: the `runs` and `run_ends` rows. */
export interface RunProvenance {
  readonly run_id: string;
  /** UTC, `YYYY-MM-DD hh:mm:ss`. */
  readonly started_at: string;
  /** UTC, `YYYY-MM-DD hh:mm:ss`; null when no end was recorded. */
  readonly finished_at: string | null;
  readonly status: RunStatus;
  /** Why the run is not complete (one line), or ''. */
  readonly status_reason: string;
  /** e.g. `hotbench run`. */
  readonly command: string;
  readonly scenario: string;
  /** File the scenario came from, or '' for a trace. */
  readonly scenario_file: string;
  readonly seed: number;
  /** sha256 (hex) of the generated op stream: equal streams, equal traffic. */
  readonly stream_sha256: string;
  /** Ops in the plan (one replay). */
  readonly planned_ops: number;
  /** Planned schedule length, µs. */
  readonly schedule_us: number;
  /** The resolved configuration (passwords masked), parsed from JSON; the raw text if it is not JSON. */
  readonly config: unknown;
  readonly git: { readonly rev: string; readonly branch: string };
  /** `kafka`: the broker's release as recorded in the run's config (`kafka_version`), '' when the run used none or predates it. */
  readonly versions: { readonly hotbench: string; readonly node: string; readonly postgres: string; readonly clickhouse: string; readonly redis: string; readonly kafka: string };
  readonly host: { readonly name: string; readonly cores: number; readonly mem_bytes: number };
}

/** Percentiles of a sample, µs (null when the sample is empty). */
export interface LatencySummary {
  /** Observations. */
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  /** The 99.9th percentile. */
  readonly p999: number | null;
  readonly max: number | null;
}

/** One strategy replay: its `strategy_runs` row and the metrics of DESIGN.md §5 computed over its rows. */
export interface StrategyReport {
  /** Canonical label, e.g. `aggregate:window=10ms`. */
  readonly label: string;
  /** Registry name, e.g. `aggregate`. */
  readonly name: string;
  /** What it actually ran on, e.g. `postgres`, `redis-streams` ('' if not recorded). */
  readonly backend: string;
  /** Repetition index (0 unless `run --repeat N`). */
  readonly rep: number;
  /** Position in the run's strategy list. */
  readonly idx: number;
  /** `interrupted` with an explaining detail when ops were recorded but no summary row (the run was killed mid-replay). */
  readonly status: ReplayStatus;
  /** Skip reason, failure or interruption (one line), or ''. */
  readonly detail: string;
  /** Resolved parameters, parsed from JSON. */
  readonly params: unknown;
  /** UTC `YYYY-MM-DD hh:mm:ss`, or null when not recorded. */
  readonly started_at: string | null;
  /** Planned schedule length, µs. */
  readonly schedule_us: number;
  /** Schedule start to the last outcome (after drain), µs. */
  readonly elapsed_us: number;
  readonly ops: {
    readonly planned: number;
    /** Handed to the strategy. */
    readonly sent: number;
    /** Sent more than `late_threshold_us` after their intended time. */
    readonly late: number;
    readonly late_threshold_us: number;
    /** Op rows recorded (every op, whatever happened to it): the denominator of shares. */
    readonly recorded: number;
    /** Ops with an outcome (applied, accepted or rejected). */
    readonly acked: number;
    /** Max ops in flight. */
    readonly concurrency: number;
  };
  /** planned ops / schedule seconds; null when no op was recorded (skipped) or there is no schedule. */
  readonly offered_per_s: number | null;
  /** (applied + accepted) / goodput_window seconds; null when no op was recorded. */
  readonly goodput_per_s: number | null;
  /** max(schedule, last ack), µs: the time goodput is spread over. */
  readonly goodput_window_us: number;
  /**
   * Money-safe goodput (DESIGN.md §5): the applied and accepted ops that were
   * never lost, duplicated or overdrawn, per second of the goodput window
   * (lost, duplicated and overdraft incidents subtracted); null when no op
   * was recorded. What the verdict ranks by.
   */
  readonly money_safe_goodput_per_s: number | null;
  /** `suppressed`: ops upstream never sent because the strategy's budget signal stopped their account's delivery (feedback). */
  readonly by_status: { readonly applied: number; readonly accepted: number; readonly rejected: number; readonly unsent: number; readonly suppressed: number };
  /** The ledger model and feedback the replay ran under (its `ledger_model` note), '' when not recorded. */
  readonly ledger_model: string;
  readonly rejects: {
    readonly total: number;
    /** total / recorded ops (0 when no ops). */
    readonly share: number;
    /** Most frequent first. */
    readonly by_reason: readonly { readonly reason: string; readonly count: number; readonly share: number }[];
  };
  /** acked − intended over every acked op, µs (coordinated-omission safe: from the intended send time). */
  readonly ack_latency_us: LatencySummary;
  /** posted − intended over every posting, µs. */
  readonly posting_delay_us: { readonly posted: number; readonly p50: number | null; readonly p99: number | null; readonly max: number | null };
  readonly lock_wait: {
    /** Ops that took a row lock (lock wait ≥ 0). */
    readonly ops: number;
    /** Sum of their waits, seconds. */
    readonly total_s: number;
    /** 99th percentile of their waits, µs; null when no op took a lock. */
    readonly p99_us: number | null;
  };
  /**
   * Run-level lock waits, sampled by the telemetry (`pg_stat_activity` every
   * ~50 ms): sessions of the strategy's database waiting on a lock.
   */
  readonly lock_wait_sampled: {
    /** Telemetry polls recorded (0: no telemetry, e.g. a skipped replay). */
    readonly polls: number;
    /** The integral of waiters over time, lock-wait seconds; null without polls. */
    readonly total_s: number | null;
    /** Most sessions seen waiting at once; null without polls. */
    readonly max_waiters: number | null;
  };
  /** Stop-delivery delay (DESIGN.md §5): threshold crossings of the ledger balance vs the strategy's `budget_exhausted` signals. */
  readonly stop_delivery: {
    /** Crossings the strategy signalled. */
    readonly signalled: number;
    /** Crossings never signalled (incidents `stop_delivery_missed`). */
    readonly missed: number;
    /** Longest crossing → signal delay, µs (≤ 0: signalled before the ledger crossed); null when none was signalled. */
    readonly max_delay_us: number | null;
  };
  /**
   * Most work waiting behind the strategy, from its own samples: `consumer_lag`
   * (ops accepted but not yet applied, `buffer`) and `replication_lag_us` (how
   * long a commit took to show on the replica, `read-write-split`); null where
   * the strategy records no such series.
   */
  readonly lag: {
    readonly consumer_max_ops: number | null;
    readonly replication_max_us: number | null;
  };
  /** Overdraft incidents and the sum of the amounts by which the floor was broken (minor units). */
  readonly overdrafts: { readonly count: number; readonly amount: number };
  /** Incident counts by kind; each 0 when none was recorded. */
  readonly incidents: {
    readonly lost: number;
    readonly duplicated: number;
    readonly phantom: number;
    readonly mismatch: number;
    readonly conservation: number;
    /** Global conservation failures (double entry): an op whose legs do not net to zero, or money created or destroyed. */
    readonly global_conservation: number;
    readonly false_declines: number;
    readonly stale_reads: number;
    /** Every kind recorded (including the above), with count and amount sum. */
    readonly by_kind: Readonly<Record<string, { readonly count: number; readonly amount: number }>>;
  };
  readonly conservation: {
    /** Whether the auditor ran on this replay's ledger. */
    readonly audited: boolean;
    /** Conservation held for every account; null when not audited. */
    readonly ok: boolean | null;
    readonly accounts_checked: number;
  };
  readonly events: {
    readonly signals: number;
    readonly notes: number;
    /** The earliest 100 events. */
    readonly items: readonly ReportEvent[];
  };
  /** Bulk job completion (DESIGN.md §5); null when the replay recorded no op of a bulk job (the scenario has no `jobs`). */
  readonly bulk_jobs: BulkJobs | null;
}

/**
 * Bulk job completion over one replay: per job, the first op's intended time
 * → the job's last op settled, where an op is settled when it is posted
 * (`postings.posted_us`, not its ack: deferred strategies post later) or
 * declined (rejected for any reason but `timeout` and `error`, at its ack).
 * A job is completed when every one of its ops is settled; a job with an op
 * lost (accepted, never posted), of unknown fate (timeout, error) or never
 * sent (unsent, suppressed) is not completed and has no completion time.
 */
export interface BulkJobs {
  /** Jobs with at least one op recorded. */
  readonly jobs: number;
  /** Jobs whose every op was posted or declined. */
  readonly completed: number;
  /** jobs − completed. */
  readonly not_completed: number;
  /** Ops of every job. */
  readonly ops: number;
  /** Job ops posted. */
  readonly posted_ops: number;
  /** Job ops declined (settled without posting). */
  readonly declined_ops: number;
  /** Job ops neither posted nor declined. */
  readonly unsettled_ops: number;
  /** Completion time of the completed jobs, µs (quantileExact's rank rule); nulls when none completed. */
  readonly completion_us: { readonly p50: number | null; readonly p99: number | null; readonly max: number | null };
  /** Every job, by job id. */
  readonly by_job: readonly BulkJob[];
}

/** One bulk job of a replay. Times are µs from the schedule start. */
export interface BulkJob {
  /** The job id (`ops.job`). */
  readonly job: number;
  readonly ops: number;
  /** Earliest intended send time of its ops. */
  readonly first_intended_us: number;
  readonly posted: number;
  readonly declined: number;
  /** Ops neither posted nor declined: lost, of unknown fate, or never sent. */
  readonly unsettled: number;
  /** The latest posting or decline among its settled ops; null when none settled. */
  readonly last_settled_us: number | null;
  /** The latest ack among its ops; null when none was acked. Shown beside the completion to tell acked from posted. */
  readonly last_ack_us: number | null;
  /** last_settled − first_intended, µs, when every op settled; null otherwise. */
  readonly completion_us: number | null;
}

/** A signal or note a strategy (or the runner) raised. */
export interface ReportEvent {
  /** µs from the replay's schedule start. */
  readonly at_us: number;
  readonly type: 'signal' | 'note';
  readonly kind: string;
  /** Logical account, or -1. */
  readonly account: number;
  readonly detail: string;
}

/** One line of `hotbench runs`. */
export interface RunListItem {
  readonly run_id: string;
  /** UTC, `YYYY-MM-DD hh:mm:ss`. */
  readonly started_at: string;
  readonly scenario: string;
  readonly status: RunStatus;
  /** Strategy labels in run order. */
  readonly strategies: readonly string[];
  /** Ops in the plan (one replay). */
  readonly planned_ops: number;
  readonly command: string;
}
