/**
 * A scenario's `slo` block uses the metric catalog's names; files written
 * with the older keys (`max_overdraft`, `max_posting_delay_ms`,
 * `max_reject_share`) still load into the same limits, with one note each,
 * and giving an old key beside its new name is one clear error.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { parseScenario } from '../scenarios/load.js';
import { compilePlan } from '../scenarios/plan.js';
import { ScenarioError } from '../scenarios/errors.js';

const BODY = `name: t
description: old and new slo keys
seed: 1
accounts: { count: 2, balance: 1000, floor: 0 }
phases: [{ name: steady, duration: 1s, arrival: { process: constant, rate: 10 } }]
mix: { charge: 1 }
`;

afterEach(() => vi.restoreAllMocks());

it('reads the old keys into the catalog names and units, with a note per old key', () => {
  const notes: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (notes.push(String(chunk)), true));
  const old = parseScenario(`${BODY}slo: { p99_ack_ms: 50, max_overdraft: 0, max_posting_delay_ms: 1500, max_reject_share: 0.07 }\n`, 'old.yaml');
  const now = parseScenario(`${BODY}slo: { p99_ack_ms: 50, overdraft_amount: 0, posting_delay_p99_ms: 1500, reject_pct: 7 }\n`, 'new.yaml');
  const slo = (s: typeof old) => compilePlan({ scenario: s, file: '/tmp/t.yaml' }).slo;
  expect(slo(old)).toEqual({ p99_ack_ms: 50, overdraft_amount: 0, posting_delay_p99_ms: 1500, reject_pct: 7 });
  expect(slo(now)).toEqual(slo(old));
  expect(notes).toEqual([
    'hotbench: old.yaml: slo.max_posting_delay_ms is now slo.posting_delay_p99_ms; the old name still works for now.\n',
    'hotbench: old.yaml: slo.max_overdraft is now slo.overdraft_amount; the old name still works for now.\n',
    'hotbench: old.yaml: slo.max_reject_share is now slo.reject_pct (in percent); the old name still works for now.\n',
  ]);
});

it('refuses an old key given beside its new name', () => {
  expect(() => parseScenario(`${BODY}slo: { overdraft_amount: 0, max_overdraft: 0 }\n`, 'both.yaml')).toThrow(ScenarioError);
  expect(() => parseScenario(`${BODY}slo: { overdraft_amount: 0, max_overdraft: 0 }\n`, 'both.yaml')).toThrow(/slo\.max_overdraft.*is the old name of overdraft_amount, which is also given/);
});
