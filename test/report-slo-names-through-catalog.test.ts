/**
 * SLO limits are the catalog's metrics (reports/common/metrics.ts): every SLO
 * key is a catalog name, in the catalog's unit, and `--slo` reads the older
 * flag names into the same limits.
 */
import { describe, expect, it } from 'vitest';
import { metricNamed } from '../reports/common/metrics.js';
import { parseSloText, SLO_KEYS } from '../reports/common/slo.js';

describe('SLO names through the metric catalog', () => {
  it('names every SLO key as a catalog metric', () => {
    for (const key of SLO_KEYS) expect(metricNamed(key)?.name, key).toBe(key);
  });

  it('reads the catalog spelling and the old flag spelling into the same limit, in the catalog unit', () => {
    expect(parseSloText('p99_ack_ms<50ms,posting_delay_p99_ms<1s,overdraft_amount=0').slo).toEqual(parseSloText('p99_ack<50ms,posting_delay<1s,overdraft=0').slo);
    expect(parseSloText('p99_ack_ms<50ms').slo).toEqual({ p99_ack_ms: 50 });
  });
});
