/**
 * SLO limits name the catalog's metrics (reports/common/metrics.ts): every
 * SLO key that limits a catalog metric names one that exists, and `--slo`
 * accepts the catalog's spelling as well as the older flag names.
 */
import { describe, expect, it } from 'vitest';
import { metricNamed } from '../reports/common/metrics.js';
import { parseSloText, SLO_KEYS, SLO_METRIC } from '../reports/common/slo.js';

describe('SLO names through the metric catalog', () => {
  it('maps every SLO key to a catalog metric that exists, or says it has none', () => {
    for (const key of SLO_KEYS) {
      const name = SLO_METRIC[key];
      if (name !== null) expect(metricNamed(name)?.name, key).toBe(name);
    }
    expect(Object.values(SLO_METRIC).filter((n) => n !== null)).toHaveLength(4);
  });

  it('reads the catalog spelling and the old flag spelling into the same limit', () => {
    expect(parseSloText('p99_ack_ms<50ms,posting_delay_p99_ms<1s,overdraft_amount=0').slo).toEqual(parseSloText('p99_ack<50ms,posting_delay<1s,overdraft=0').slo);
    expect(parseSloText('p99_ack_ms<50ms').slo).toEqual({ p99_ack_us: 50_000 });
  });
});
