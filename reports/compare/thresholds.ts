/**
 * Regression thresholds: what change of a metric between a baseline and a
 * candidate run counts as a breach. Written as `metric: rule` in a YAML file
 * or as repeated `--threshold metric=rule` flags.
 *
 * Rules (the metric's unit is in its name, see `./metrics.ts`):
 * - `+10%` / `-5%`: the minimum effect, relative to the baseline's median, in
 *   the worse direction (`+` for metrics where higher is worse, `-` for
 *   goodput): a change is a regression when it is at least this big AND the
 *   interval of the change lies wholly on the worse side of 0; a pass when
 *   the interval's worse end stays below it; inconclusive otherwise (see
 *   `../noise/decision.ts`).
 * - `+5` / `-200`: the same, as an absolute change in the metric's unit
 *   (`+5ms` is accepted for `_ms` metrics, `+2s` for `_s`), turned into a
 *   share of the baseline's median.
 * - `0`, `50`, `<= 50`, `< 1`: an absolute cap (for goodput, a bare number or
 *   `>= N` is a floor). Checked on the candidate alone: its worst repetition
 *   for money-safety counts, its median otherwise. No noise test: an overdraft
 *   is a fact, not a fluctuation.
 * - `0 or +10%`: a cap where the baseline kept within it, and where the
 *   baseline itself broke the cap (a strategy such as `wal` whose documented
 *   risk is overdrafts), the relative rule instead: it may not get worse by
 *   more than that, judged as above. The default for the money-safety counts.
 * - `off`: no threshold (removes a default).
 *
 * The default relative thresholds take their size from the minimum effect
 * (`--min-effect`, the file's `noise: { min_effect }`, default 10%): p99 and
 * goodput that much, posting delay twice that (it includes deferred work).
 *
 * Precedence: defaults < file < flags; per-strategy entries of the file
 * (`strategies: { <label or name>: { metric: rule } }`) override both for
 * that strategy. Every bad entry is reported, one line each.
 */
import { parse as parseYaml } from 'yaml';
import { CompareInputError } from './errors.js';
import { metricNamed, metricNames, type MetricDef } from '../common/metrics.js';
import { DEFAULT_MIN_EFFECT } from '../noise/decision.js';

/** How a threshold judges a metric. */
export type ThresholdRule =
  /** Signed fraction of the baseline median: 0.10 = +10 %. */
  | { readonly kind: 'relative'; readonly fraction: number }
  /** Signed change in the metric's unit. */
  | { readonly kind: 'delta'; readonly amount: number }
  /** Absolute bound on the candidate. */
  | {
      readonly kind: 'limit';
      readonly op: '<' | '<=' | '>' | '>=';
      readonly limit: number;
      /** `0 or +10%`: when the baseline's worst repetition already breaks the cap, judge by this signed fraction instead. */
      readonly elseRelative?: number;
    };

/** One effective threshold. */
export interface Threshold {
  readonly metric: string;
  readonly rule: ThresholdRule;
  /** As written, e.g. `+10%`. */
  readonly text: string;
  /** `default`, `--threshold`, or `<file>` / `<file> (strategies.<key>)`. */
  readonly source: string;
}

/** How noise is weighed (see `../noise/decision.ts`). */
export interface NoiseSettings {
  /** Minimum effect of the default relative thresholds, a share. Default {@link DEFAULT_MIN_EFFECT} (10%). */
  readonly minEffect: number;
}

/** Every threshold in force: global ones and per-strategy overrides (`null` = switched off). */
export interface ThresholdSet {
  readonly global: ReadonlyMap<string, Threshold | null>;
  /** Keyed by strategy label or registry name. */
  readonly perStrategy: ReadonlyMap<string, ReadonlyMap<string, Threshold | null>>;
  readonly noise: NoiseSettings;
}

/**
 * The default thresholds for a minimum effect `m` (a share): p50 and p99 ack
 * latency and goodput may not get worse by m, posting delay by 2·m (it
 * includes deferred work),
 * rejects by 1 percentage point; no overdraft, lost or duplicated op, nor a
 * conservation violation, is tolerated where the baseline had none, and
 * where it had some (its documented risk), they may not grow by more than 10%.
 */
export function defaultThresholds(m: number = DEFAULT_MIN_EFFECT): Readonly<Record<string, string>> {
  const pct = (x: number): string => `${Math.round(x * 1e6) / 1e4}%`;
  return {
    // The median as well as the tail: on a 2-core machine one 50–150 ms stall decides a 3-s
    // repetition's p99 (7–160 ms for the same code), which hid a slowdown of every op that
    // moved the median 1 → 5–30 ms; the median moves by a few percent between runs.
    p50_ack_ms: `+${pct(m)}`,
    p99_ack_ms: `+${pct(m)}`,
    goodput: `-${pct(m)}`,
    reject_pct: '+1',
    posting_delay_p99_ms: `+${pct(2 * m)}`,
    overdraft_count: '0 or +10%',
    lost: '0 or +10%',
    duplicated: '0 or +10%',
    conservation_violations: '0 or +10%',
  };
}

/** The default thresholds at the default minimum effect. */
export const DEFAULT_THRESHOLDS: Readonly<Record<string, string>> = defaultThresholds();

/** Default {@link NoiseSettings}. */
export const DEFAULT_NOISE: NoiseSettings = { minEffect: DEFAULT_MIN_EFFECT };

const NUMBER = '(\\d+(?:\\.\\d+)?)';
const RELATIVE = new RegExp(`^([+-])\\s*${NUMBER}\\s*%$`);
const DELTA = new RegExp(`^([+-])\\s*${NUMBER}\\s*([a-z]*)$`);
const LIMIT = new RegExp(`^(<=|<|>=|>)?\\s*${NUMBER}\\s*([a-z%]*)$`);

/** Parses one rule for `metric`; returns the threshold, `null` for `off`, or a problem (without location). */
export function parseRule(metricName: string, text: string, source: string): Threshold | null | { problem: string } {
  const metric = metricNamed(metricName);
  if (metric === undefined) return { problem: `${metricName}: unknown metric; known: ${metricNames().join(', ')}` };
  const t = text.trim();
  if (/^(off|none)$/i.test(t)) return null;
  const either = /^(.+?)\s+or\s+(.+)$/i.exec(t);
  if (either) {
    const cap = parseRule(metricName, either[1]!, source);
    const rel = parseRule(metricName, either[2]!, source);
    if (cap !== null && 'problem' in cap) return cap;
    if (rel !== null && 'problem' in rel) return rel;
    if (cap?.rule.kind !== 'limit' || rel?.rule.kind !== 'relative') {
      return { problem: `${metricName}: ${JSON.stringify(t)}: write a cap, "or", then a relative change, e.g. 0 or +10%` };
    }
    return { metric: metricName, rule: { ...cap.rule, elseRelative: rel.rule.fraction }, text: t, source };
  }
  const worse = metric.direction === 'higher_is_worse' ? '+' : '-';
  const rel = RELATIVE.exec(t);
  if (rel) {
    if (rel[1] !== worse) return { problem: `${metricName}: ${JSON.stringify(t)} points the wrong way: ${directionWords(metric)}, so write ${worse}${rel[2]}%` };
    return { metric: metricName, rule: { kind: 'relative', fraction: (Number(rel[1] + rel[2]) / 100) }, text: t, source };
  }
  const delta = DELTA.exec(t);
  if (delta) {
    const unit = unitProblem(metric, delta[3]!);
    if (unit) return { problem: `${metricName}: ${JSON.stringify(t)}: ${unit}` };
    if (delta[1] !== worse) return { problem: `${metricName}: ${JSON.stringify(t)} points the wrong way: ${directionWords(metric)}, so write ${worse}${delta[2]}` };
    return { metric: metricName, rule: { kind: 'delta', amount: Number(delta[1] + delta[2]) }, text: t, source };
  }
  const limit = LIMIT.exec(t);
  if (limit) {
    const unit = unitProblem(metric, limit[3]!);
    if (unit) return { problem: `${metricName}: ${JSON.stringify(t)}: ${unit}` };
    const op = (limit[1] ?? (metric.direction === 'higher_is_worse' ? '<=' : '>=')) as '<' | '<=' | '>' | '>=';
    const isCap = op.startsWith('<');
    if (isCap !== (metric.direction === 'higher_is_worse')) {
      return { problem: `${metricName}: ${JSON.stringify(t)} bounds the wrong side: ${directionWords(metric)}, so give a ${isCap ? 'floor (>= N)' : 'cap (<= N)'}` };
    }
    return { metric: metricName, rule: { kind: 'limit', op, limit: Number(limit[2]) }, text: t, source };
  }
  return { problem: `${metricName}: ${JSON.stringify(t)} is not a threshold; write e.g. ${worse}10% (relative), ${worse}5 (absolute change), ${metric.direction === 'higher_is_worse' ? '0 / <= 50 (caps), 0 or +10% (cap, else relative)' : '>= 1000 (floor)'} or off` };
}

function directionWords(m: MetricDef): string {
  return m.direction === 'higher_is_worse' ? 'higher is worse' : 'lower is worse';
}

function unitProblem(metric: MetricDef, suffix: string): string | undefined {
  if (suffix === '' || suffix === metric.unit) return undefined;
  return metric.unit === 'ms' || metric.unit === 's' ? `the unit is ${metric.unit}, not ${suffix}` : `${metric.name} takes a plain number (unit: ${metric.unit}), not ${suffix}`;
}

/** Inputs to {@link buildThresholds}. */
export interface ThresholdInputs {
  /** A thresholds YAML file: its path (for messages) and text. */
  readonly file?: { readonly path: string; readonly text: string };
  /** `--threshold` values, `metric=rule` or `metric: rule`. */
  readonly flags?: readonly string[];
  /** `--min-effect` as written (`10%` or `0.1`), overrides the file's `noise.min_effect`. */
  readonly minEffect?: string;
}

/** Builds the thresholds in force. Throws {@link CompareInputError} listing every bad entry. */
export function buildThresholds(inputs: ThresholdInputs): ThresholdSet {
  const problems: string[] = [];
  const global = new Map<string, Threshold | null>();
  const perStrategy = new Map<string, Map<string, Threshold | null>>();
  let minEffect = DEFAULT_NOISE.minEffect;
  const add = (into: Map<string, Threshold | null>, metric: string, text: string, source: string, where: string) => {
    const parsed = parseRule(metric, text, source);
    if (parsed !== null && 'problem' in parsed) problems.push(`${where}: ${parsed.problem}`);
    else into.set(metric, parsed);
  };

  if (inputs.file) {
    const { path, text } = inputs.file;
    let doc: unknown;
    try {
      doc = parseYaml(text, { schema: 'failsafe' }); // every scalar a string: `+10` must keep its sign
    } catch (err) {
      problems.push(`${path}: not valid YAML: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
    }
    if (doc !== undefined && doc !== null && doc !== '') {
      if (!isMapping(doc)) problems.push(`${path}: expected a mapping of metric: threshold (e.g. p99_ack_ms: +10%)`);
      else {
        for (const [key, value] of Object.entries(doc)) {
          if (key === 'noise') {
            minEffect = readNoise(value, `${path}: noise`, problems) ?? minEffect;
          } else if (key === 'strategies') {
            if (!isMapping(value)) {
              problems.push(`${path}: strategies: expected a mapping of <strategy label or name>: { metric: threshold }`);
              continue;
            }
            for (const [strategy, entries] of Object.entries(value)) {
              if (!isMapping(entries)) {
                problems.push(`${path}: strategies.${strategy}: expected a mapping of metric: threshold`);
                continue;
              }
              const into = perStrategy.get(strategy) ?? new Map<string, Threshold | null>();
              perStrategy.set(strategy, into);
              for (const [metric, rule] of Object.entries(entries)) {
                if (typeof rule !== 'string') problems.push(`${path}: strategies.${strategy}.${metric}: expected a threshold such as +10%`);
                else add(into, metric, rule, `${path} (strategies.${strategy})`, `${path}: strategies.${strategy}`);
              }
            }
          } else if (typeof value !== 'string') {
            problems.push(`${path}: ${key}: expected a threshold such as +10% (or, if ${key} is meant as a section, only noise and strategies are)`);
          } else add(global, key, value, path, path);
        }
      }
    }
  }

  for (const flag of inputs.flags ?? []) {
    const m = /^\s*([A-Za-z0-9_]+)\s*[=:]\s*(.+)$/.exec(flag);
    if (!m) problems.push(`--threshold ${JSON.stringify(flag)}: write metric=rule, e.g. p99_ack_ms=+10%`);
    else add(global, m[1]!, m[2]!, '--threshold', `--threshold ${JSON.stringify(flag)}`);
  }
  if (inputs.minEffect !== undefined) {
    const m = parseFraction(inputs.minEffect);
    if (m === undefined || m === 0) problems.push(`--min-effect ${JSON.stringify(inputs.minEffect)}: write a share of the baseline median such as 10% or 0.1 (above 0, at most 100%)`);
    else minEffect = m;
  }
  // Defaults fill what the file and the flags left unset (an `off` there is kept: null).
  for (const [metric, text] of Object.entries(defaultThresholds(minEffect))) if (!global.has(metric)) add(global, metric, text, 'default', 'default');
  if (problems.length > 0) throw new CompareInputError(problems);
  return { global, perStrategy, noise: { minEffect } };
}

function readNoise(value: unknown, where: string, problems: string[]): number | undefined {
  if (!isMapping(value)) {
    problems.push(`${where}: expected a mapping with min_effect (e.g. min_effect: 10%)`);
    return undefined;
  }
  let out: number | undefined;
  for (const [key, v] of Object.entries(value)) {
    const text = typeof v === 'string' ? v.trim() : '';
    if (key === 'min_effect') {
      const m = parseFraction(text);
      if (m === undefined || m === 0) problems.push(`${where}.min_effect: ${JSON.stringify(v)}: write a share such as 10% or 0.1`);
      else out = m;
    } else problems.push(`${where}.${key}: unknown key; noise takes min_effect (alpha and tolerance belonged to the old range rule)`);
  }
  return out;
}

/** `5%` → 0.05, `0.05` → 0.05; undefined unless within 0..1. */
function parseFraction(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) return undefined;
  const v = Number(m[1]) / (m[2] === '%' ? 100 : 1);
  return v >= 0 && v <= 1 ? v : undefined;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The thresholds in force for one strategy, in metric table order:
 * per-strategy entries keyed by its label win over those keyed by its name,
 * which win over the global ones. Switched-off metrics are left out.
 */
export function thresholdsFor(set: ThresholdSet, label: string, name: string): Threshold[] {
  const merged = new Map(set.global);
  for (const key of [name, label]) for (const [metric, t] of set.perStrategy.get(key) ?? []) merged.set(metric, t);
  return metricNames()
    .map((m) => merged.get(m))
    .filter((t): t is Threshold => t !== undefined && t !== null);
}

/** A rule as people read it: `+10%`, `+5 ms`, `<= 0`. */
export function describeRule(t: Threshold): string {
  const unit = metricNamed(t.metric)?.unit ?? '';
  const r = t.rule;
  if (r.kind === 'relative') return `${r.fraction >= 0 ? '+' : ''}${round(r.fraction * 100)}%`;
  if (r.kind === 'delta') return `${r.amount >= 0 ? '+' : ''}${round(r.amount)}${unitSuffix(unit)}`;
  const cap = describeCap(t.metric, r);
  return r.elseRelative === undefined ? cap : `${cap}, or ${r.elseRelative >= 0 ? '+' : ''}${round(r.elseRelative * 100)}% where the baseline broke it`;
}

/** The cap of a `limit` rule alone, without its `or` part, e.g. `<= 0`. */
export function describeCap(metric: string, r: Extract<ThresholdRule, { kind: 'limit' }>): string {
  const unit = metricNamed(metric)?.unit ?? '';
  return `${r.op} ${round(r.limit)}${unit === '%' ? '%' : unitSuffix(unit)}`;
}

/** Absolute changes of a percentage are percentage points. */
function unitSuffix(unit: string): string {
  return unit === 'ms' || unit === 's' ? ` ${unit}` : unit === '%' ? ' pp' : '';
}

function round(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}
