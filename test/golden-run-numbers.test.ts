/**
 * The refactor guard: the same scenario and seed
 * give the same op stream and the same report numbers before and after any
 * restructuring. The expected values in `golden/run-numbers.json` were
 * generated from the code as it stood before the refactor (commit 48fe583)
 * and are never edited by hand.
 *
 * Only numbers that do not depend on timing are compared: plan counts, stream
 * hashes, per-strategy outcome counts and the audit's totals. The run uses
 * `--concurrency 1`, so ops reach the ledger in stream order and strict
 * strategies (`atomic`, `row-lock`) decide every op the same way on any
 * machine; latencies, rates and lateness are left out on purpose.
 *
 * The extractors below read the report by today's field names; a change that
 * renames a JSON field updates the extractor here, never the golden values.
 * To regenerate (only for a deliberate behaviour change, said in the commit):
 * `HOTBENCH_GOLDEN_WRITE=1 npx vitest run test/golden-run-numbers.test.ts`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../scenarios/index.js';
import { runCli } from './support/cli.js';

const GOLDEN = join(packageRoot(), 'test', 'golden', 'run-numbers.json');
const WRITE = process.env['HOTBENCH_GOLDEN_WRITE'] === '1';

/** Every library scenario, planned (no server touched) for 4 s with seed 7. */
const PLANNED = ['advertiser-burst', 'budget-exhaustion', 'fleet-bulk', 'rider-payouts', 'settlement'] as const;
const PLAN_ARGS = ['--strategies', 'atomic', '--duration', '4s', '--seed', '7', '--dry-run', '--json'];

/** The recorded run: the hot budget runs out, so both kinds of outcome and a stop-delivery signal occur. */
const RUN_ARGS = ['run', '--scenario', 'budget-exhaustion', '--strategies', 'atomic,row-lock', '--duration', '2s', '--seed', '7', '--concurrency', '1', '--json'];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a report read back as JSON

/** The timing-free part of a `--dry-run --json` plan. */
function planNumbers(plan: Json): Json {
  const s = plan['summary'];
  return {
    seed: plan['seed'],
    durationUs: plan['duration_us'],
    totalOps: s.totalOps,
    byKind: s.byKind,
    byClass: s.byClass,
    jobs: s.jobs,
    accounts: s.accounts,
    phases: s.phases.map((p: Json) => ({ name: p.name, startUs: p.startUs, endUs: p.endUs, ops: p.ops, backgroundOps: p.backgroundOps })),
    hotAccounts: s.hotAccounts.map((h: Json) => ({ id: h.id, balance: h.balance, floor: h.floor, threshold: h.threshold, debits: h.debits, credits: h.credits, exhaustedAtUs: h.exhaustedAtUs })),
    sha256: s.sha256,
  };
}

/** The timing-free part of a `run --json` report. */
function runNumbers(report: Json): Json {
  return {
    run: { status: report['run'].status, seed: report['run'].seed, plannedOps: report['run'].planned_ops, scheduleUs: report['run'].schedule_us, streamSha256: report['run'].stream_sha256 },
    strategies: report['strategies'].map((s: Json) => ({
      label: s.label,
      backend: s.backend,
      status: s.status,
      byStatus: { applied: s.by_status.applied, accepted: s.by_status.accepted, rejected: s.by_status.rejected, unsent: s.by_status.unsent },
      rejects: s.rejects.by_reason.map((r: Json) => ({ reason: r.reason, count: r.count })),
      ops: { planned: s.ops.planned, sent: s.ops.sent, acked: s.ops.acked, recorded: s.ops.recorded },
      conservation: { audited: s.conservation.audited, ok: s.conservation.ok, accountsChecked: s.conservation.accounts_checked },
      incidents: {
        byKind: s.incidents.by_kind,
        conservation: s.incidents.conservation,
        duplicated: s.incidents.duplicated,
        falseDeclines: s.incidents.false_declines,
        lost: s.incidents.lost,
        mismatch: s.incidents.mismatch,
        phantom: s.incidents.phantom,
        staleReads: s.incidents.stale_reads,
      },
      overdrafts: s.overdrafts,
      posted: s.posting_delay_us.posted,
      lockWaitOps: s.lock_wait.ops,
      signals: s.events.signals,
      stopDelivery: { signalled: s.stop_delivery.signalled, missed: s.stop_delivery.missed },
    })),
  };
}

/** The JSON document a `--json` command printed (progress goes to stderr). */
function parsed(stdout: string): Json {
  return JSON.parse(stdout) as Json;
}

describe('golden: same scenario and seed, same stream and report numbers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotbench-golden-'));
  const actual: { plans: Record<string, Json>; run?: Json } = { plans: {} };
  const golden = WRITE ? undefined : (JSON.parse(readFileSync(GOLDEN, 'utf8')) as typeof actual);

  beforeAll(async () => {
    for (const scenario of PLANNED) {
      const res = await runCli(['run', '--scenario', scenario, ...PLAN_ARGS]);
      expect(res.code, res.stderr).toBe(0);
      actual.plans[scenario] = planNumbers(parsed(res.stdout));
    }
    const res = await runCli([...RUN_ARGS, '--data-dir', dir, '--out', join(dir, 'out')], { timeoutMs: 240_000 });
    expect(res.code, res.stderr).toBe(0);
    actual.run = runNumbers(parsed(res.stdout));
    if (WRITE) writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 2)}\n`);
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(PLANNED)('%s: the planned stream (counts by kind, phases, hot accounts, hash) is unchanged', (scenario) => {
    expect(actual.plans[scenario]).toEqual(golden?.plans[scenario] ?? actual.plans[scenario]);
  });

  it('the recorded run: stream hash, outcome counts and audit totals are unchanged', () => {
    expect(actual.run).toEqual(golden?.run ?? actual.run);
  });

  it('the recorded run exercises what it guards: refusals, a signal and a clean audit', () => {
    for (const s of actual.run!['strategies'] as Json[]) {
      expect(s['byStatus'].rejected).toBeGreaterThan(0);
      expect(s['byStatus'].applied).toBeGreaterThan(0);
      expect(s['signals']).toBeGreaterThan(0);
      expect(s['conservation'].ok).toBe(true);
    }
  });
});
