/**
 * Hand-made strategy reports for the verdict tests: a completed, clean
 * replay (no incident, conservation held) whose figures a test overrides.
 */
import type { StrategyReport } from '../reports/common/report-types.js';

/** What a test sets; everything else is a clean completed replay. */
export interface Made {
  readonly label: string;
  readonly backend?: string;
  readonly rep?: number;
  readonly status?: StrategyReport['status'];
  readonly detail?: string;
  readonly goodput?: number | null;
  /** Money-safe goodput, ops/s; default: the goodput. */
  readonly moneySafe?: number | null;
  /** Ack p50/p90/p99/p99.9/max, µs. */
  readonly p99?: number | null;
  readonly p999?: number | null;
  readonly postingP99?: number | null;
  readonly overdraft?: number;
  readonly rejectShare?: number;
  readonly recorded?: number;
  readonly lost?: number;
  readonly duplicated?: number;
  readonly audited?: boolean;
  readonly conserved?: boolean;
  readonly stop?: StrategyReport['stop_delivery'];
}

/** A StrategyReport with the figures of `m`. */
export function made(m: Made): StrategyReport {
  const recorded = m.recorded ?? 1000;
  const p99 = m.p99 === undefined ? 10_000 : m.p99;
  const p999 = m.p999 === undefined ? (p99 === null ? null : p99 * 2) : m.p999;
  const rejected = Math.round((m.rejectShare ?? 0) * recorded);
  const audited = m.audited ?? true;
  return {
    label: m.label,
    name: m.label.split(':')[0]!,
    backend: m.backend ?? 'postgres',
    rep: m.rep ?? 0,
    idx: 0,
    status: m.status ?? 'completed',
    detail: m.detail ?? '',
    params: {},
    started_at: '2024-05-01 12:00:00',
    schedule_us: 10_000_000,
    elapsed_us: 10_000_000,
    ops: { planned: recorded, sent: recorded, late: 0, late_threshold_us: 5000, recorded, acked: recorded, concurrency: 512 },
    offered_per_s: recorded / 10,
    goodput_per_s: m.goodput === undefined ? 100 : m.goodput,
    money_safe_goodput_per_s: m.moneySafe !== undefined ? m.moneySafe : m.goodput === undefined ? 100 : m.goodput,
    goodput_window_us: 10_000_000,
    ledger_model: '',
    by_status: { applied: recorded - rejected, accepted: 0, rejected, unsent: 0, suppressed: 0 },
    rejects: { total: rejected, share: m.rejectShare ?? 0, by_reason: rejected > 0 ? [{ reason: 'insufficient_funds', count: rejected, share: m.rejectShare ?? 0 }] : [] },
    ack_latency_us: { count: p99 === null ? 0 : recorded, p50: p99 === null ? null : p99 / 4, p90: p99 === null ? null : p99 / 2, p99, p999, max: p999 },
    posting_delay_us: m.postingP99 === null ? { posted: 0, p50: null, p99: null, max: null } : { posted: recorded, p50: 1000, p99: m.postingP99 ?? p99 ?? 1000, max: m.postingP99 ?? p99 ?? 1000 },
    lock_wait: { ops: 0, total_s: 0, p99_us: null },
    lock_wait_sampled: { polls: 0, total_s: null, max_waiters: null },
    stop_delivery: m.stop ?? { signalled: 0, missed: 0, max_delay_us: null },
    lag: { consumer_max_ops: null, replication_max_us: null },
    overdrafts: { count: (m.overdraft ?? 0) > 0 ? 1 : 0, amount: m.overdraft ?? 0 },
    incidents: {
      lost: m.lost ?? 0, duplicated: m.duplicated ?? 0, phantom: 0, mismatch: 0, conservation: m.conserved === false ? 2 : 0, global_conservation: 0, false_declines: 0, stale_reads: 0, by_kind: {},
    },
    conservation: { audited, ok: audited ? m.conserved ?? true : null, accounts_checked: audited ? 500 : 0 },
    events: { signals: 0, notes: 0, items: [] },
    bulk_jobs: null,
  };
}
