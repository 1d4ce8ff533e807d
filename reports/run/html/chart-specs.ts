/**
 * What the HTML report charts, as plain data (the browser script in
 * `chart-script.ts` turns each spec into a uPlot chart). Built from the
 * RunReport alone: percentiles from the strategy reports, everything over
 * time from `report.series`. A strategy keeps one colour in every chart.
 */
import type { RunReport, StrategyReport } from '../../common/report-types.js';
import type { StrategySeries } from '../../common/series-types.js';

/** One line (or set of markers) of a chart. */
export interface ChartLine {
  readonly label: string;
  readonly color: string;
  /** One value per x; null = a gap. */
  readonly values: readonly (number | null)[];
  /** Dashed line (the offered rate). */
  readonly dash?: boolean;
  /** Draw points only, no line (overdraft markers). */
  readonly markers?: boolean;
}

/** One chart. */
export interface ChartSpec {
  /** Element id of the chart's container: `chart-<name>`. */
  readonly id: string;
  readonly title: string;
  /** What the reader should know to read it (units, aggregation). */
  readonly note: string;
  /** `time`: x is seconds from the schedule start; `categories`: x indexes `categories`. */
  readonly kind: 'time' | 'categories';
  readonly x: readonly number[];
  readonly categories?: readonly string[];
  /** Y axis label with its unit. */
  readonly y: string;
  /** Logarithmic y (latencies spanning orders of magnitude). */
  readonly log?: boolean;
  readonly lines: readonly ChartLine[];
}

/** Colours by strategy position (Tableau 10, then darker variants); the offered rate is grey. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#1f3b5a', '#8c4a0c'];
const OFFERED = '#57606a';
/** Most hot accounts charted (one balance chart each). */
const MAX_BALANCE_CHARTS = 4;

/** The charts of a run, in page order; charts with nothing to show are left out. */
export function chartSpecs(report: RunReport): ChartSpec[] {
  const repeated = report.strategies.some((s) => s.rep > 0);
  const measured = report.strategies.map((s, i) => ({ s, color: PALETTE[i % PALETTE.length]!, name: nameOf(s, repeated), series: seriesOf(report, s) })).filter((m) => m.s.ops.recorded > 0);
  const specs: ChartSpec[] = [];
  const ms = (us: number | null) => (us === null || us <= 0 ? null : us / 1000); // log scale: no zeros

  const acked = measured.filter((m) => m.s.ack_latency_us.count > 0);
  if (acked.length > 0) {
    specs.push({
      id: 'chart-ack-latency', title: 'Ack latency percentiles', kind: 'categories', x: [0, 1, 2, 3, 4], categories: ['p50', 'p90', 'p99', 'p99.9', 'max'], y: 'ms (log)', log: true,
      note: 'From the intended send time to the outcome (coordinated-omission safe), per strategy; the same numbers as the table.',
      lines: acked.map((m) => {
        const a = m.s.ack_latency_us;
        return { label: m.name, color: m.color, values: [a.p50, a.p90, a.p99, a.p999, a.max].map(ms) };
      }),
    });
  }
  const posted = measured.filter((m) => m.s.posting_delay_us.posted > 0);
  if (posted.length > 0) {
    specs.push({
      id: 'chart-posting-delay', title: 'Posting delay percentiles', kind: 'categories', x: [0, 1, 2], categories: ['p50', 'p99', 'max'], y: 'ms (log)', log: true,
      note: 'From the intended send time to the entry being in the ledger; equals ack latency for synchronous strategies.',
      lines: posted.map((m) => {
        const p = m.s.posting_delay_us;
        return { label: m.name, color: m.color, values: [p.p50, p.p99, p.max].map(ms) };
      }),
    });
  }

  const points = report.series.points;
  const x = Array.from({ length: points }, (_, i) => (i * report.series.bucket_us) / 1e6);
  const bucket = `${report.series.bucket_us / 1e6} s`;
  const timed = measured.filter((m) => m.series !== undefined) as (typeof measured[number] & { series: StrategySeries })[];
  const time = (spec: Omit<ChartSpec, 'kind' | 'x'>): void => {
    if (spec.lines.some((l) => !l.markers && l.values.some((v) => v !== null))) specs.push({ ...spec, kind: 'time', x });
  };

  if (timed.length > 0) {
    time({
      id: 'chart-rates', title: 'Achieved vs offered rate', y: 'ops/s',
      note: `Offered: ops intended per ${bucket} (identical for every strategy: same op stream). Achieved: applied + accepted ops by the ${bucket} they were acked in.`,
      lines: [
        { label: 'offered', color: OFFERED, values: timed[0]!.series.offered_per_s, dash: true },
        ...timed.map((m) => ({ label: m.name, color: m.color, values: m.series.achieved_per_s })),
      ],
    });
    time({
      id: 'chart-lock-waiters', title: 'Lock waiters over time', y: 'sessions waiting',
      note: `Sessions of the strategy's database waiting on a lock (pg_stat_activity sampled every ~50 ms), mean per ${bucket}: its area is the lock-wait seconds.`,
      lines: timed.map((m) => ({ label: m.name, color: m.color, values: m.series.lock_waiters_avg })),
    });
    time({
      id: 'chart-pg-commits', title: 'PostgreSQL commits per second', y: 'commits/s',
      note: "Committed transactions of the strategy's database (pg_stat_database, sampled every second; backends report at most once a second, so single seconds are jittery).",
      lines: timed.map((m) => ({ label: m.name, color: m.color, values: m.series.pg_commits_per_s })),
    });
    const accounts = [...new Set(timed.flatMap((m) => Object.keys(m.series.balances)))].sort((a, b) => Number(a) - Number(b)).slice(0, MAX_BALANCE_CHARTS);
    for (const account of accounts) {
      const lines: ChartLine[] = [];
      for (const m of timed) {
        const balance = m.series.balances[account];
        if (!balance) continue;
        lines.push({ label: m.name, color: m.color, values: balance });
        const marks = m.series.overdrafts.filter((o) => String(o.account) === account);
        if (marks.length === 0) continue;
        const values = new Array<number | null>(points).fill(null);
        for (const o of marks) values[o.bucket] = balance[o.bucket] ?? nearest(balance, o.bucket);
        lines.push({ label: `${m.name}: overdraft`, color: m.color, values, markers: true });
      }
      time({
        id: `chart-balance-${account}`, title: `Hot account ${account}: balance over time`, y: 'minor units',
        note: `Lowest ledger balance sampled (every second) per ${bucket}; markers: overdraft incidents, placed at the time their op was posted.`,
        lines,
      });
    }
    const lagNames = [...new Set(timed.flatMap((m) => Object.keys(m.series.lags)))].sort();
    for (const name of lagNames) {
      time({
        id: `chart-lag-${name.replace(/[^a-z0-9]+/g, '-')}`, title: `${name} over time`, y: name.endsWith('_us') ? 'µs' : 'ops',
        note: `Largest ${name} sample per ${bucket}.`,
        lines: timed.filter((m) => m.series.lags[name]).map((m) => ({ label: m.name, color: m.color, values: m.series.lags[name]! })),
      });
    }
  }
  return specs;
}

function nameOf(s: StrategyReport, repeated: boolean): string {
  return `${s.label}${repeated ? ` #${s.rep + 1}` : ''}`;
}

function seriesOf(report: RunReport, s: StrategyReport): StrategySeries | undefined {
  return report.series.strategies.find((x) => x.label === s.label && x.rep === s.rep);
}

/** The closest non-null value to `i` (a marker needs a height even in a bucket without a balance sample). */
function nearest(values: readonly (number | null)[], i: number): number | null {
  for (let d = 1; d < values.length; d++) {
    const v = values[i - d] ?? values[i + d];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}
