/**
 * Thresholds: the documented defaults, file < flag precedence, per-strategy
 * overrides, signs kept from YAML (`+5` is a change, not a cap), and every
 * bad entry reported on its own line with where it came from.
 */
import { describe, expect, it } from 'vitest';
import { CompareInputError } from '../reports/compare/errors.js';
import { buildThresholds, DEFAULT_THRESHOLDS, thresholdsFor, type ThresholdSet } from '../reports/compare/thresholds.js';

function rules(set: ThresholdSet, label = 'x', name = 'x'): Record<string, unknown> {
  return Object.fromEntries(thresholdsFor(set, label, name).map((t) => [t.metric, t.rule]));
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof CompareInputError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a CompareInputError');
}

describe('compare thresholds', () => {
  it('defaults: p50 and p99 +10%, goodput -10% (the 10% minimum effect), rejects +1 pp, posting delay +20%, no overdraft / loss / duplicate / conservation violation where the baseline had none, else +10%', () => {
    const set = buildThresholds({});
    expect(rules(set)).toEqual({
      p50_ack_ms: { kind: 'relative', fraction: 0.1 },
      p99_ack_ms: { kind: 'relative', fraction: 0.1 },
      goodput: { kind: 'relative', fraction: -0.1 },
      reject_pct: { kind: 'delta', amount: 1 },
      posting_delay_p99_ms: { kind: 'relative', fraction: 0.2 },
      overdraft_count: { kind: 'limit', op: '<=', limit: 0, elseRelative: 0.1 },
      lost: { kind: 'limit', op: '<=', limit: 0, elseRelative: 0.1 },
      duplicated: { kind: 'limit', op: '<=', limit: 0, elseRelative: 0.1 },
      conservation_violations: { kind: 'limit', op: '<=', limit: 0, elseRelative: 0.1 },
    });
    expect(Object.keys(DEFAULT_THRESHOLDS)).toHaveLength(9);
    expect(set.noise).toEqual({ minEffect: 0.1 });
  });

  it('a file overrides the defaults, flags override the file, per-strategy entries override both; YAML keeps the sign of +5', () => {
    const text = ['p99_ack_ms: +5', 'goodput: ">= 1000"', 'lost: off', 'noise: { min_effect: 15% }', 'strategies:', '  buffer:', '    posting_delay_p99_ms: off', '  "row-lock":', '    p99_ack_ms: +50%'].join('\n');
    const set = buildThresholds({ file: { path: 'gate.yaml', text }, flags: ['p999_ack_ms=+25%', 'goodput: -2%'], minEffect: '7%' });
    const global = rules(set);
    expect(global['p99_ack_ms']).toEqual({ kind: 'delta', amount: 5 }); // +5 ms, not a cap of 5
    expect(global['goodput']).toEqual({ kind: 'relative', fraction: -0.02 }); // the flag beats the file's floor
    expect(global['p999_ack_ms']).toEqual({ kind: 'relative', fraction: 0.25 });
    expect(global['lost']).toBeUndefined();
    expect(set.noise).toEqual({ minEffect: 0.07 }); // the flag beats the file's 15%
    expect(global['posting_delay_p99_ms']).toEqual({ kind: 'relative', fraction: 0.14 }); // a default: twice the minimum effect
    expect(rules(set, 'buffer:queue=memory', 'buffer')['posting_delay_p99_ms']).toBeUndefined();
    expect(rules(set, 'row-lock', 'row-lock')['p99_ack_ms']).toEqual({ kind: 'relative', fraction: 0.5 });
    expect(thresholdsFor(set, 'row-lock', 'row-lock').find((t) => t.metric === 'p99_ack_ms')?.source).toBe('gate.yaml (strategies.row-lock)');
  });

  it('caps, floors and units: <= 50, < 1, 25ms, >= 1000 for goodput', () => {
    const set = buildThresholds({ flags: ['p99_ack_ms=25ms', 'overdraft_amount=< 1', 'goodput=1000', 'reject_pct=<= 5%', 'lock_wait_s=+2s'] });
    const r = rules(set);
    expect(r['p99_ack_ms']).toEqual({ kind: 'limit', op: '<=', limit: 25 });
    expect(r['overdraft_amount']).toEqual({ kind: 'limit', op: '<', limit: 1 });
    expect(r['goodput']).toEqual({ kind: 'limit', op: '>=', limit: 1000 });
    expect(r['reject_pct']).toEqual({ kind: 'limit', op: '<=', limit: 5 });
    expect(r['lock_wait_s']).toEqual({ kind: 'delta', amount: 2 });
  });

  it('reports every bad entry on its own line, saying where and how to fix it', () => {
    const text = ['p99_ack: +10%', 'p99_ack_ms: -10%', 'goodput: +5%', 'posting_delay_p99_ms: +5s', 'lost: lots', 'noise: { min_effect: 2, colour: red }', 'strategies: [a]'].join('\n');
    const problems = problemsOf(() => buildThresholds({ file: { path: 'bad.yaml', text }, flags: ['overdraft_count', 'goodput=<= 5'], minEffect: '0%' }));
    expect(problems).toEqual([
      expect.stringMatching(/^bad\.yaml: p99_ack: unknown metric; known: p50_ack_ms, p99_ack_ms, /),
      'bad.yaml: p99_ack_ms: "-10%" points the wrong way: higher is worse, so write +10%',
      'bad.yaml: goodput: "+5%" points the wrong way: lower is worse, so write -5%',
      'bad.yaml: posting_delay_p99_ms: "+5s": the unit is ms, not s',
      'bad.yaml: lost: "lots" is not a threshold; write e.g. +10% (relative), +5 (absolute change), 0 / <= 50 (caps), 0 or +10% (cap, else relative) or off',
      'bad.yaml: noise.min_effect: "2": write a share such as 10% or 0.1',
      'bad.yaml: noise.colour: unknown key; noise takes min_effect (alpha and tolerance belonged to the old range rule)',
      'bad.yaml: strategies: expected a mapping of <strategy label or name>: { metric: threshold }',
      '--threshold "overdraft_count": write metric=rule, e.g. p99_ack_ms=+10%',
      '--threshold "goodput=<= 5": goodput: "<= 5" bounds the wrong side: lower is worse, so give a floor (>= N)',
      '--min-effect "0%": write a share of the baseline median such as 10% or 0.1 (above 0, at most 100%)',
    ]);
    expect(new CompareInputError(problems).message.split('\n')).toHaveLength(problems.length + 1);
  });

  it('names a file that is not YAML', () => {
    expect(problemsOf(() => buildThresholds({ file: { path: 'broken.yaml', text: 'a: [\n' } }))).toEqual([expect.stringMatching(/^broken\.yaml: not valid YAML: /)]);
  });
});
