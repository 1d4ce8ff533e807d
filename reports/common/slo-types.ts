/**
 * The shape of an SLO, apart from its parsing (./slo.ts), so that the
 * verdict's types (which carry one) need not import the metric catalog that
 * the parser reads: the keys are catalog metric names, in the catalog's units.
 */

/** Upper limits, each optional, each a catalog metric in the catalog's unit (ms, minor units, percent of recorded ops). */
export interface Slo {
  /** Highest acceptable 99th percentile ack latency, ms. */
  readonly p99_ack_ms?: number;
  /** Highest acceptable 99.9th percentile ack latency, ms. */
  readonly p999_ack_ms?: number;
  /** Highest acceptable 99th percentile posting delay, ms. */
  readonly posting_delay_p99_ms?: number;
  /** Highest acceptable total overdraft (sum of the amounts below the floor), minor units. */
  readonly overdraft_amount?: number;
  /** Highest acceptable stop-delivery delay (worst crossing), ms; a crossing never signalled fails it. */
  readonly max_stop_delivery_ms?: number;
  /** Highest acceptable share of rejected ops, percent of recorded ops (0..100). */
  readonly reject_pct?: number;
}

/** The keys of {@link Slo}, in the order verdicts list them: each is a catalog metric name. */
export const SLO_KEYS = ['p99_ack_ms', 'p999_ack_ms', 'posting_delay_p99_ms', 'overdraft_amount', 'max_stop_delivery_ms', 'reject_pct'] as const;
/** One key of {@link Slo}. */
export type SloKey = (typeof SLO_KEYS)[number];
