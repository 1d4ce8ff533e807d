/**
 * `--strategies` text resolves to canonical labels, validated parameters and
 * factories; composites get their inner strategy.
 */
import { describe, expect, it } from 'vitest';
import { describeParams, parseStrategyList, resolveStrategies } from '../strategies/spec.js';
import { type Probe, testRegistry } from './support/spec-registry.js';

const labels = (text: string): string[] => resolveStrategies(text, testRegistry()).map((r) => r.label);

describe('strategy specs', () => {
  it('parses names, parameters, continuations and composites into a tree', () => {
    expect(parseStrategyList(' aggregate:window=10ms , max=500,row-lock, rate-limit(aggregate:max=5,window=1ms):rate=9,burst=3')).toEqual([
      { name: 'aggregate', params: [['window', '10ms'], ['max', '500']], colon: true },
      { name: 'row-lock', params: [], colon: false },
      {
        name: 'rate-limit',
        params: [['rate', '9'], ['burst', '3']],
        colon: true,
        inner: { name: 'aggregate', params: [['max', '5'], ['window', '1ms']], colon: true },
      },
    ]);
  });

  it('a comma-separated key=value continues the previous strategy: two strategies here', () => {
    expect(labels('aggregate:window=10ms,max=500,row-lock')).toEqual(['aggregate:max=500', 'row-lock']);
    expect(labels('aggregate:window=20ms,max=500,row-lock')).toEqual(['aggregate:max=500,window=20ms', 'row-lock']);
  });

  it('labels are canonical: defaults dropped, keys sorted, values normalised', () => {
    expect(labels('aggregate:max=500,window=10000us')).toEqual(['aggregate:max=500']);
    expect(labels('aggregate:window=0.5s')).toEqual(['aggregate:window=500ms']);
    expect(labels('aggregate:window=2000ms')).toEqual(['aggregate:window=2s']);
    expect(labels('aggregate:window=1500us,strict=1,max=0500')).toEqual(['aggregate:max=500,strict=true,window=1500us']);
    expect(labels('optimistic:isolation=READ-COMMITTED,retries=10')).toEqual(['optimistic:isolation=read-committed']);
    expect(labels('optimistic:backoff=1ms,retries=3')).toEqual(['optimistic:retries=3']);
  });

  it('a label is itself a spec that resolves to the same label', () => {
    for (const text of ['aggregate:window=20ms,max=500', 'rate-limit(aggregate:window=20ms,max=7):burst=3,rate=100', 'optimistic:isolation=read-committed,retries=0']) {
      const [label] = labels(text);
      expect(labels(label!)).toEqual([label]);
    }
  });

  it('resolves parameters with defaults filled in, in the units of the schema', () => {
    const [agg, opt] = resolveStrategies('aggregate:window=20ms,optimistic:retries=2', testRegistry());
    expect(agg?.params).toEqual({ window: 20_000, max: 1000, strict: false, tag: 'x' });
    expect(opt?.params).toEqual({ retries: 2, isolation: 'repeatable-read', backoff: 1_000 });
  });

  it('composites: outer parameters after the parentheses, inner built with its label', () => {
    const [r] = resolveStrategies('rate-limit(aggregate:window=20ms,max=500):rate=100,burst=10', testRegistry());
    expect(r?.label).toBe('rate-limit(aggregate:max=500,window=20ms):burst=10,rate=100');
    expect(r?.inner?.label).toBe('aggregate:max=500,window=20ms');
    const probe = r!.create() as Probe;
    expect(probe.params).toEqual({ rate: 100, burst: 10 });
    expect(probe.inner?.label).toBe('aggregate:max=500,window=20ms');
    expect((probe.inner?.strategy as Probe).params).toEqual({ window: 20_000, max: 500, strict: false, tag: 'x' });
    expect(labels('rate-limit(row-lock)')).toEqual(['rate-limit(row-lock)']);
    expect(labels('rate-limit(rate-limit(atomic):rate=5)')).toEqual(['rate-limit(rate-limit(atomic):rate=5)']);
  });

  it('each create() builds a new instance of the built-in strategy', () => {
    const [r] = resolveStrategies('row-lock', testRegistry());
    const a = r!.create();
    expect(a.backend).toBe('postgres');
    expect(r!.create()).not.toBe(a);
  });

  it('documents parameters with canonical defaults', () => {
    expect(describeParams(testRegistry().get('optimistic'))).toEqual([
      { key: 'backoff', default: '1ms', expected: 'a duration such as 10ms, 1s or 250us, between 0ms and 1s' },
      { key: 'isolation', default: 'repeatable-read', expected: 'one of read-committed, repeatable-read' },
      { key: 'retries', default: '10', expected: 'a non-negative integer up to 1000' },
    ]);
    expect(describeParams(testRegistry().get('row-lock'))).toEqual([]);
  });
});
