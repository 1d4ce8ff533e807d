/**
 * The shape of an SLO, apart from its parsing (./slo.ts), so that the
 * verdict's types (which carry one) need not import the metric catalog that
 * the parser reads: the keys are catalog metric names, in the catalog's units.
 */
import type { PlanSlo } from '../../scenarios/plan.js';

/**
 * Upper limits, each optional, each a catalog metric in the catalog's unit
 * (ms, minor units, percent of recorded ops). The one definition is the
 * plan's (a scenario's `slo` block compiles to it); `--slo` and the recorded
 * config use the same shape.
 */
export type Slo = PlanSlo;

/** The keys of {@link Slo}, in the order verdicts list them: each is a catalog metric name. */
export const SLO_KEYS = ['p99_ack_ms', 'p999_ack_ms', 'posting_delay_p99_ms', 'overdraft_amount', 'max_stop_delivery_ms', 'reject_pct'] as const satisfies readonly (keyof PlanSlo)[];
/** One key of {@link Slo}. */
export type SloKey = (typeof SLO_KEYS)[number];
