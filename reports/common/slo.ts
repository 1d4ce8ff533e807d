/**
 * The constraints a verdict judges strategies against (an SLO): where they
 * come from (the scenario's `slo` block, `run --slo`), how they are written
 * on the command line, and how they are recorded with the run (the `slo` key
 * of the recorded config JSON, in the {@link Slo} shape below).
 *
 * Every limit is a metric of the catalog (./metrics.ts) under the catalog's
 * name and in the catalog's unit: `p99_ack_ms: 50` limits the catalog's
 * `p99_ack_ms` to 50 ms, in a scenario file, in `--slo p99_ack_ms<50ms`, in
 * the recorded config and in the verdict's checks alike. The names used
 * before the catalog (`p99_ack`, `overdraft`, `reject_share` on the command
 * line; `p99_ack_us`... in runs recorded then) are still read, see
 * {@link OLD_FLAG_NAMES} and {@link sloOfConfig}.
 *
 * Every limit is inclusive, as in the scenario's `slo` block ("highest
 * acceptable"): `p99_ack_ms<50ms` passes a p99 of exactly 50 ms.
 */
import { readDuration } from '../../units/duration.js';
import { formatMetricValue, metricNamed, type MetricDef } from './metrics.js';
import { SLO_KEYS, type Slo, type SloKey } from './slo-types.js';

export { SLO_KEYS, type Slo, type SloKey } from './slo-types.js';

/** A bad `--slo` text: the message says what, where and how to fix it. */
export class SloError extends Error {
  override readonly name = 'SloError';
}

/** The catalog entry of an SLO key (every key is one; a test pins it). */
export function sloMetric(key: SloKey): MetricDef {
  const metric = metricNamed(key);
  if (!metric) throw new Error(`SLO key ${key} is not in the metric catalog`);
  return metric;
}

/** How a limit is written after `<`: a duration for `ms` metrics, a whole amount, a percent. */
type Kind = 'duration' | 'amount' | 'percent' | 'share';

function kindOf(key: SloKey): Kind {
  const unit = sloMetric(key).unit;
  return unit === 'ms' ? 'duration' : unit === '%' ? 'percent' : 'amount';
}

/**
 * `--slo` names from before the catalog → the catalog name. Still read, with
 * a note that names the new spelling; `reject_share` and `rejects` keep their
 * old meaning (a share: `0.05` or `5%`).
 */
export const OLD_FLAG_NAMES: Readonly<Record<string, { readonly key: SloKey; readonly kind: Kind }>> = {
  p99_ack: { key: 'p99_ack_ms', kind: 'duration' },
  ack_p99: { key: 'p99_ack_ms', kind: 'duration' },
  p999_ack: { key: 'p999_ack_ms', kind: 'duration' },
  'p99.9_ack': { key: 'p999_ack_ms', kind: 'duration' },
  posting_delay: { key: 'posting_delay_p99_ms', kind: 'duration' },
  p99_posting_delay: { key: 'posting_delay_p99_ms', kind: 'duration' },
  overdraft: { key: 'overdraft_amount', kind: 'amount' },
  stop_delivery: { key: 'max_stop_delivery_ms', kind: 'duration' },
  reject_share: { key: 'reject_pct', kind: 'share' },
  rejects: { key: 'reject_pct', kind: 'share' },
};

/** Longest limit a duration SLO may set: 1 h, in ms (an ack or posting delay beyond that is a typo). */
const MAX_LIMIT_MS = 3_600_000;

/** The form of `--slo`, for messages and help. */
export const SLO_SYNTAX = "comma-separated limits on catalog metrics, e.g. 'p99_ack_ms<50ms,p999_ack_ms<200ms,posting_delay_p99_ms<1s,overdraft_amount=0,max_stop_delivery_ms<200ms,reject_pct<5%' (limits are inclusive; 'name=off' drops one the scenario set)";

/** What {@link parseSloText} read: the limits, the keys switched off, and one note per old name used. */
export interface SloText {
  readonly slo: Slo;
  readonly off: readonly SloKey[];
  /** `--slo: p99_ack is now p99_ack_ms; the old name still works`, once per old name given. */
  readonly notes: readonly string[];
}

/**
 * Parses `--slo` text (see {@link SLO_SYNTAX}) into limits and the names
 * switched off. `from` names the flag or variable in messages. Throws
 * {@link SloError} on the first bad part.
 */
export function parseSloText(text: string, from = '--slo'): SloText {
  const slo: Record<string, number> = {};
  const off: SloKey[] = [];
  const notes: string[] = [];
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new SloError(`${from} is empty: give ${SLO_SYNTAX}.`);
  for (const part of parts) {
    const m = /^([a-z0-9_.]+)\s*(<=|<|=)\s*(.+)$/.exec(part);
    const name = m?.[1];
    const known = name !== undefined && (SLO_KEYS as readonly string[]).includes(name) ? { key: name as SloKey, kind: kindOf(name as SloKey) } : undefined;
    const old = name === undefined ? undefined : OLD_FLAG_NAMES[name];
    const spec = known ?? old;
    if (!m || !spec) throw new SloError(`${from}: ${JSON.stringify(part)} is not a limit I know; names are ${SLO_KEYS.join(', ')}; give ${SLO_SYNTAX}.`);
    if (old && !notes.some((n) => n.includes(` ${name} `))) notes.push(`${from}: ${name} is now ${old.key}; the old name still works for now.`);
    const raw = m[3]!.trim();
    if (raw === 'off') {
      off.push(spec.key);
      delete slo[spec.key];
      continue;
    }
    slo[spec.key] = parseLimit(raw, spec.kind, `${from}: ${name}`);
  }
  return { slo: slo as Slo, off, notes };
}

/** A limit in its catalog unit: ms, minor units, percent. */
function parseLimit(raw: string, kind: Kind, where: string): number {
  if (kind === 'duration') {
    const reading = readDuration(raw);
    const ms = reading.ok ? reading.us / 1000 : NaN;
    if (!(ms > 0 && ms <= MAX_LIMIT_MS)) throw new SloError(`${where}: ${JSON.stringify(raw)} is not a duration above 0 and at most 1 h; write e.g. 50ms, 1.5s, 800us.`);
    return ms;
  }
  if (kind === 'amount') {
    if (!/^\d{1,15}$/.test(raw)) throw new SloError(`${where}: ${JSON.stringify(raw)} is not a whole amount in minor units; write e.g. 0 or 5000.`);
    return Number(raw);
  }
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(raw);
  const number = /^\d+(?:\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (kind === 'percent') {
    const value = pct ? Number(pct[1]) : number;
    if (!(value >= 0 && value <= 100)) throw new SloError(`${where}: ${JSON.stringify(raw)} is not a percent; write e.g. 5% or 5 (0..100).`);
    return value;
  }
  const share = pct ? Number(pct[1]) / 100 : number;
  if (!(share >= 0 && share <= 1)) throw new SloError(`${where}: ${JSON.stringify(raw)} is not a share; write e.g. 5% or 0.05 (0..1).`);
  return shareToPct(share);
}

/** A share of 1 as percent, without the binary noise of ×100 (0.07 × 100 = 7.000000000000001). */
export function shareToPct(share: number): number {
  return Number((share * 100).toPrecision(12));
}

/** `base` with `override`'s limits on top and the `off` keys removed. */
export function mergeSlo(base: Slo, override: { readonly slo: Slo; readonly off: readonly SloKey[] }): Slo {
  const out: Record<string, number> = { ...(base as Record<string, number>), ...(override.slo as Record<string, number>) };
  for (const key of override.off) delete out[key];
  return ordered(out);
}

/**
 * The keys runs recorded before the catalog names (µs, a share of 1) and how
 * each reads as today's key: recorded runs stay readable.
 */
const RECORDED_BEFORE: Readonly<Record<string, { readonly key: SloKey; readonly scale: (v: number) => number }>> = {
  p99_ack_us: { key: 'p99_ack_ms', scale: (v) => v / 1000 },
  p999_ack_us: { key: 'p999_ack_ms', scale: (v) => v / 1000 },
  max_posting_delay_us: { key: 'posting_delay_p99_ms', scale: (v) => v / 1000 },
  max_overdraft: { key: 'overdraft_amount', scale: (v) => v },
  max_stop_delivery_us: { key: 'max_stop_delivery_ms', scale: (v) => v / 1000 },
  max_reject_share: { key: 'reject_pct', scale: shareToPct },
};

/**
 * The SLO recorded in a run's config (`config.slo`); {} when absent or
 * malformed. Runs recorded before the catalog names (`p99_ack_us`...) are
 * read as today's keys. Unknown keys and non-numbers are dropped.
 */
export function sloOfConfig(config: unknown): Slo {
  const raw = config !== null && typeof config === 'object' ? (config as Record<string, unknown>)['slo'] : undefined;
  if (raw === null || typeof raw !== 'object') return {};
  const out: Record<string, number> = {};
  const usable = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    const before = RECORDED_BEFORE[name];
    if (before && usable(v) && out[before.key] === undefined) out[before.key] = before.scale(v);
  }
  for (const key of SLO_KEYS) {
    const v = (raw as Record<string, unknown>)[key];
    if (usable(v)) out[key] = v;
  }
  return ordered(out);
}

function ordered(slo: Record<string, number>): Slo {
  const out: Record<string, number> = {};
  for (const key of SLO_KEYS) if (slo[key] !== undefined) out[key] = slo[key];
  return out as Slo;
}

/** How a limit reads: `p99_ack_ms ≤ 50 ms`. */
export function describeLimit(key: SloKey, limit: number): string {
  return `${key} ≤ ${formatValue(key, limit)}`;
}

/** A measured or limit value of `key` with its unit, as the catalog formats it: `50.0 ms`, `1,200`, `5.00%`. */
export function formatValue(key: SloKey, value: number): string {
  return formatMetricValue(sloMetric(key).unit, value);
}

/** The SLO as one line: `p99_ack_ms ≤ 50.0 ms, overdraft_amount ≤ 0`; `none` when empty. */
export function describeSlo(slo: Slo): string {
  const parts = SLO_KEYS.filter((k) => slo[k] !== undefined).map((k) => describeLimit(k, slo[k]!));
  return parts.length > 0 ? parts.join(', ') : 'none';
}
