/**
 * `export --format bmf` writes Bencher Metric Format as Bencher documents it
 * (https://bencher.dev/docs/reference/bencher-metric-format): an object of
 * benchmarks, each an object of measures, each `{ value, lower_value?,
 * upper_value? }` of numbers; measure slugs at most 64 characters, benchmark
 * names at most 1024. The schema below restates Bencher's JSON Schema.
 */
import { expect, it } from 'vitest';
import { z } from 'zod';
import { BMF_MEASURES, runToBmf, verdictIntervals } from '../reports/export/bmf.js';
import { judge } from '../reports/run/verdict.js';
import { made } from './report-verdict-fixture.js';
import { provenance } from './ci-fixture.js';

const metric = z.object({ value: z.number(), lower_value: z.number().optional(), upper_value: z.number().optional() }).strict();
const bmfSchema = z.record(z.string().min(1).max(1024), z.record(z.string().min(1).max(64), metric));

it('writes one benchmark per strategy with goodput, ack p99, posting delay p99 and overdrafts, named after the metric catalog', () => {
  const strategies = [
    made({ label: 'atomic', goodput: 900, p99: 12_000, postingP99: 12_000 }),
    made({ label: 'wal:interval=50ms', goodput: 1500, p99: 2_000, postingP99: 80_000, overdraft: 40 }),
    made({ label: 'buffer', status: 'skipped', detail: 'no Kafka' }),
  ];
  const bmf = runToBmf({ run: provenance('r1'), strategies });
  expect(bmfSchema.safeParse(bmf).success).toBe(true);
  expect(Object.keys(bmf)).toEqual(['advertiser-burst/atomic', 'advertiser-burst/wal:interval=50ms']);
  expect(bmf['advertiser-burst/atomic']).toEqual({ 'goodput-ops-per-s': { value: 900 }, 'p99-ack-ms': { value: 12 }, 'posting-delay-p99-ms': { value: 12 }, 'overdraft-count': { value: 0 } });
  expect(bmf['advertiser-burst/wal:interval=50ms']!['overdraft-count']).toEqual({ value: 1 });
  expect(bmf['advertiser-burst/wal:interval=50ms']!['posting-delay-p99-ms']).toEqual({ value: 80 });
  for (const m of BMF_MEASURES) expect(m.slug.length).toBeLessThanOrEqual(64);
});

it('takes the median over repetitions, the worst overdraft, and lower/upper only from an interval', () => {
  const strategies = [
    made({ label: 'atomic', rep: 0, goodput: 800 }),
    made({ label: 'atomic', rep: 1, goodput: 1000, overdraft: 5 }),
    made({ label: 'atomic', rep: 2, goodput: 900 }),
  ];
  const bmf = runToBmf({ run: provenance('r2'), strategies }, (label, slug) => (label === 'atomic' && slug === 'goodput-ops-per-s' ? { lower: 820, upper: 980 } : undefined));
  expect(bmfSchema.safeParse(bmf).success).toBe(true);
  expect(bmf['advertiser-burst/atomic']!['goodput-ops-per-s']).toEqual({ value: 900, lower_value: 820, upper_value: 980 });
  expect(bmf['advertiser-burst/atomic']!['p99-ack-ms']).toEqual({ value: 10 });
  expect(bmf['advertiser-burst/atomic']!['overdraft-count']).toEqual({ value: 1 });
});

it('leaves out a measure nothing was measured for instead of writing 0', () => {
  const bmf = runToBmf({ run: provenance('r3'), strategies: [made({ label: 'atomic', p99: null, postingP99: null, goodput: null })] });
  expect(Object.keys(bmf['advertiser-burst/atomic']!)).toEqual(['overdraft-count']);
});

it("writes lower/upper from the verdict's own 95% intervals (bootstrap over repetitions), in each slug's unit", () => {
  const strategies = [
    made({ label: 'atomic', rep: 0, goodput: 800, p99: 10_000 }),
    made({ label: 'atomic', rep: 1, goodput: 1000, p99: 14_000 }),
    made({ label: 'atomic', rep: 2, goodput: 900, p99: 12_000 }),
  ];
  const verdict = judge({ strategies }, {});
  const figures = verdict.judged.find((j) => j.label === 'atomic')!.intervals.figures;
  expect(figures.goodput?.method).toBe('bootstrap');
  const bmf = runToBmf({ run: provenance('r4'), strategies }, verdictIntervals(verdict));
  expect(bmfSchema.safeParse(bmf).success).toBe(true);
  const goodput = bmf['advertiser-burst/atomic']!['goodput-ops-per-s']!;
  expect(goodput).toEqual({ value: 900, lower_value: figures.goodput!.lo, upper_value: figures.goodput!.hi });
  expect(goodput.lower_value).toBeLessThan(900);
  const p99 = bmf['advertiser-burst/atomic']!['p99-ack-ms']!;
  expect(p99).toEqual({ value: 12, lower_value: figures.p99_ack_ms!.lo, upper_value: figures.p99_ack_ms!.hi });
});
