/**
 * The constraints a verdict judges strategies against (an SLO): where they
 * come from (the scenario's `slo` block, `run --slo`), how they are written
 * on the command line, and how they are recorded with the run (the `slo` key
 * of the recorded config JSON, in the {@link Slo} shape below).
 *
 * Every limit is inclusive, as in the scenario's `slo` block ("highest
 * acceptable"): `p99_ack<50ms` passes a p99 of exactly 50 ms.
 */
import { readDuration } from '../../units/duration.js';
import { formatInt, formatMs, formatShare } from './format.js';

/** Upper limits, each optional. Units in the names: µs, minor units, a share of 1. */
export interface Slo {
  /** Highest acceptable 99th percentile ack latency, µs. */
  readonly p99_ack_us?: number;
  /** Highest acceptable 99.9th percentile ack latency, µs. */
  readonly p999_ack_us?: number;
  /** Highest acceptable 99th percentile posting delay, µs. */
  readonly max_posting_delay_us?: number;
  /** Highest acceptable total overdraft (sum of the amounts below the floor), minor units. */
  readonly max_overdraft?: number;
  /** Highest acceptable stop-delivery delay (worst crossing), µs; a crossing never signalled fails it. */
  readonly max_stop_delivery_us?: number;
  /** Highest acceptable share of rejected ops, 0..1. */
  readonly max_reject_share?: number;
}

/** The keys of {@link Slo}, in the order verdicts list them. */
export const SLO_KEYS = ['p99_ack_us', 'p999_ack_us', 'max_posting_delay_us', 'max_overdraft', 'max_stop_delivery_us', 'max_reject_share'] as const;
/** One key of {@link Slo}. */
export type SloKey = (typeof SLO_KEYS)[number];

/** A bad `--slo` text: the message says what, where and how to fix it. */
export class SloError extends Error {
  override readonly name = 'SloError';
}

type Kind = 'duration' | 'amount' | 'share';

/**
 * The catalog metric (./metrics.ts) each SLO key limits; null where the
 * catalog has none yet (stop delivery is not a per-replay compare metric).
 * `--slo` accepts these catalog names too, so one spelling works everywhere.
 */
export const SLO_METRIC: Readonly<Record<SloKey, string | null>> = {
  p99_ack_us: 'p99_ack_ms',
  p999_ack_us: 'p999_ack_ms',
  max_posting_delay_us: 'posting_delay_p99_ms',
  max_overdraft: 'overdraft_amount',
  max_stop_delivery_us: null,
  max_reject_share: null,
};

/** `--slo` names (and aliases) → SLO key. */
const FLAG_NAMES: Readonly<Record<string, { readonly key: SloKey; readonly kind: Kind }>> = {
  p99_ack: { key: 'p99_ack_us', kind: 'duration' },
  ack_p99: { key: 'p99_ack_us', kind: 'duration' },
  p999_ack: { key: 'p999_ack_us', kind: 'duration' },
  'p99.9_ack': { key: 'p999_ack_us', kind: 'duration' },
  posting_delay: { key: 'max_posting_delay_us', kind: 'duration' },
  p99_posting_delay: { key: 'max_posting_delay_us', kind: 'duration' },
  overdraft: { key: 'max_overdraft', kind: 'amount' },
  stop_delivery: { key: 'max_stop_delivery_us', kind: 'duration' },
  reject_share: { key: 'max_reject_share', kind: 'share' },
  rejects: { key: 'max_reject_share', kind: 'share' },
  // The catalog's names (SLO_METRIC), listed after the flag's own so its messages keep their order.
  p99_ack_ms: { key: 'p99_ack_us', kind: 'duration' },
  p999_ack_ms: { key: 'p999_ack_us', kind: 'duration' },
  posting_delay_p99_ms: { key: 'max_posting_delay_us', kind: 'duration' },
  overdraft_amount: { key: 'max_overdraft', kind: 'amount' },
};

/** Longest limit a duration SLO may set: 1 h, in µs (an ack or posting delay beyond that is a typo). */
const MAX_LIMIT_US = 3_600_000_000;

/** The form of `--slo`, for messages and help. */
export const SLO_SYNTAX = "comma-separated limits, e.g. 'p99_ack<50ms,p999_ack<200ms,posting_delay<1s,overdraft=0,stop_delivery<200ms,reject_share<5%' (limits are inclusive; 'name=off' drops one the scenario set)";

/**
 * Parses `--slo` text (see {@link SLO_SYNTAX}) into limits and the names
 * switched off. `from` names the flag or variable in messages. Throws
 * {@link SloError} on the first bad part.
 */
export function parseSloText(text: string, from = '--slo'): { readonly slo: Slo; readonly off: readonly SloKey[] } {
  const slo: Record<string, number> = {};
  const off: SloKey[] = [];
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new SloError(`${from} is empty: give ${SLO_SYNTAX}.`);
  for (const part of parts) {
    const m = /^([a-z0-9_.]+)\s*(<=|<|=)\s*(.+)$/.exec(part);
    const name = m?.[1];
    const spec = name === undefined ? undefined : FLAG_NAMES[name];
    if (!m || !spec) throw new SloError(`${from}: ${JSON.stringify(part)} is not a limit I know; names are ${Object.keys(FLAG_NAMES).join(', ')}; give ${SLO_SYNTAX}.`);
    const raw = m[3]!.trim();
    if (raw === 'off') {
      off.push(spec.key);
      delete slo[spec.key];
      continue;
    }
    slo[spec.key] = parseLimit(raw, spec.kind, `${from}: ${name}`);
  }
  return { slo: slo as Slo, off };
}

function parseLimit(raw: string, kind: Kind, where: string): number {
  if (kind === 'duration') {
    const reading = readDuration(raw);
    const us = reading.ok ? reading.us : NaN;
    if (!(us > 0 && us <= MAX_LIMIT_US)) throw new SloError(`${where}: ${JSON.stringify(raw)} is not a duration above 0 and at most 1 h; write e.g. 50ms, 1.5s, 800us.`);
    return us;
  }
  if (kind === 'amount') {
    if (!/^\d{1,15}$/.test(raw)) throw new SloError(`${where}: ${JSON.stringify(raw)} is not a whole amount in minor units; write e.g. 0 or 5000.`);
    return Number(raw);
  }
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(raw);
  const share = pct ? Number(pct[1]) / 100 : /^\d+(?:\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!(share >= 0 && share <= 1)) throw new SloError(`${where}: ${JSON.stringify(raw)} is not a share; write e.g. 5% or 0.05 (0..1).`);
  return share;
}

/** `base` with `override`'s limits on top and the `off` keys removed. */
export function mergeSlo(base: Slo, override: { readonly slo: Slo; readonly off: readonly SloKey[] }): Slo {
  const out: Record<string, number> = { ...(base as Record<string, number>), ...(override.slo as Record<string, number>) };
  for (const key of override.off) delete out[key];
  return ordered(out);
}

/** The SLO recorded in a run's config (`config.slo`); {} when absent or malformed (older runs). Unknown keys and non-numbers are dropped. */
export function sloOfConfig(config: unknown): Slo {
  const raw = config !== null && typeof config === 'object' ? (config as Record<string, unknown>)['slo'] : undefined;
  if (raw === null || typeof raw !== 'object') return {};
  const out: Record<string, number> = {};
  for (const key of SLO_KEYS) {
    const v = (raw as Record<string, unknown>)[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[key] = v;
  }
  return out as Slo;
}

function ordered(slo: Record<string, number>): Slo {
  const out: Record<string, number> = {};
  for (const key of SLO_KEYS) if (slo[key] !== undefined) out[key] = slo[key];
  return out as Slo;
}

/** How a limit reads: `ack p99 ≤ 50 ms`. */
export function describeLimit(key: SloKey, limit: number): string {
  return `${SLO_LABELS[key]} ≤ ${formatValue(key, limit)}`;
}

/** What each limit measures, as shown to people. */
export const SLO_LABELS: Readonly<Record<SloKey, string>> = {
  p99_ack_us: 'ack p99',
  p999_ack_us: 'ack p99.9',
  max_posting_delay_us: 'posting delay p99',
  max_overdraft: 'overdraft',
  max_stop_delivery_us: 'stop-delivery delay',
  max_reject_share: 'reject share',
};

/** A measured or limit value of `key` with its unit: `50 ms`, `1,200`, `5.0%`. */
export function formatValue(key: SloKey, value: number): string {
  if (key === 'max_overdraft') return formatInt(value);
  if (key === 'max_reject_share') return formatShare(value);
  return `${formatMs(value)} ms`;
}

/** The SLO as one line: `ack p99 ≤ 50 ms, overdraft ≤ 0`; `none` when empty. */
export function describeSlo(slo: Slo): string {
  const parts = SLO_KEYS.filter((k) => slo[k] !== undefined).map((k) => describeLimit(k, slo[k]!));
  return parts.length > 0 ? parts.join(', ') : 'none';
}
