/**
 * Key choice and bulk jobs: the hot share and the hot weights hold within
 * tolerance, the other accounts follow uniform or Zipf, the hot-account mix
 * applies to hot ops only, and jobs come as exactly K ops sharing a job id.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePlan, generateOps, loadScenario, type Plan } from '../scenarios/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hb-scenarios-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function plan(yaml: string, overrides: { durationUs?: number } = {}): Promise<Plan> {
  const path = join(dir, `s${n++}.yaml`);
  writeFileSync(path, `name: keys\ndescription: key probe\n${yaml}`);
  return compilePlan(await loadScenario(path), overrides);
}

/** 4σ of a binomial share p over n draws. */
const tolerance = (p: number, draws: number) => 4 * Math.sqrt((p * (1 - p)) / draws);

describe('key choice', () => {
  it('sends hot_share of the ops to the hot accounts, split by weight, the rest uniformly', async () => {
    const p = await plan(`accounts: { count: 12, balance: 1000, hot: [{ name: big, weight: 3 }, { name: small }] }
phases: [{ duration: 100s, arrival: { process: constant, rate: 1000 } }]
keys: { hot_share: 0.6 }
mix: { charge: 1 }
`);
    const counts = new Array<number>(12).fill(0);
    for (const op of generateOps(p)) counts[op.account]!++;
    const total = 100_000;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
    expect(Math.abs(counts[0]! / total - 0.45)).toBeLessThan(tolerance(0.45, total));
    expect(Math.abs(counts[1]! / total - 0.15)).toBeLessThan(tolerance(0.15, total));
    for (let id = 2; id < 12; id++) expect(Math.abs(counts[id]! / total - 0.04)).toBeLessThan(tolerance(0.04, total));
  });

  it('spreads the other accounts by Zipf: rank k gets k^-s / H(n, s)', async () => {
    const p = await plan(`accounts: { count: 100, balance: 1000, hot: [{ name: h }] }
phases: [{ duration: 100s, arrival: { process: constant, rate: 1000 } }]
keys: { hot_share: 0, others: { distribution: zipf, s: 1.2 } }
mix: { charge: 1 }
`);
    const counts = new Array<number>(100).fill(0);
    for (const op of generateOps(p)) counts[op.account]!++;
    expect(counts[0]).toBe(0); // the hot account gets none with hot_share 0
    const harmonic = Array.from({ length: 99 }, (_, i) => (i + 1) ** -1.2).reduce((a, b) => a + b, 0);
    for (const rank of [1, 2, 3, 10, 50, 99]) {
      const expected = rank ** -1.2 / harmonic;
      expect(Math.abs(counts[rank]! / 100_000 - expected)).toBeLessThan(tolerance(expected, 100_000));
    }
  });

  it('applies hot_mix to hot ops and mix to the others', async () => {
    const p = await plan(`accounts: { count: 50, balance: 1000, hot: [{ name: settlement }] }
phases: [{ duration: 10s, arrival: { process: poisson, rate: 2000 } }]
keys: { hot_share: 0.5 }
mix: { charge: 9, read: 1 }
hot_mix: { topup: 19, withdraw: 1 }
`);
    const hot = { topup: 0, withdraw: 0, other: 0 };
    const others = { charge: 0, read: 0, other: 0 };
    for (const op of generateOps(p)) {
      if (op.account === 0) hot[op.kind === 'topup' || op.kind === 'withdraw' ? op.kind : 'other']++;
      else others[op.kind === 'charge' || op.kind === 'read' ? op.kind : 'other']++;
    }
    expect(hot.other).toBe(0);
    expect(others.other).toBe(0);
    const hotTotal = hot.topup + hot.withdraw;
    expect(Math.abs(hot.withdraw / hotTotal - 0.05)).toBeLessThan(tolerance(0.05, hotTotal));
    const otherTotal = others.charge + others.read;
    expect(Math.abs(others.read / otherTotal - 0.1)).toBeLessThan(tolerance(0.1, otherTotal));
  });
});

describe('bulk jobs', () => {
  const yaml = (spread: string, duration = '10s') => `accounts: { count: 20, balance: 1000, hot: [{ name: other-hot }, { name: fleet }] }
phases: [{ duration: ${duration}, arrival: { process: poisson, rate: 300 } }]
keys: { hot_share: 0.2 }
mix: { charge: 1 }
jobs: [{ account: fleet, start: 500ms, every: 1s, size: 500, spread: ${spread}, credit_share: 0.3, amount: { distribution: fixed, value: 7 } }]
`;

  it('submits jobs of exactly K adjust ops on the named account, sharing a job id and one instant', async () => {
    const p = await plan(yaml('0ms'));
    const ops = [...generateOps(p)];
    const jobs = new Map<number, typeof ops>();
    for (const op of ops) if (op.job !== -1) jobs.set(op.job, [...(jobs.get(op.job) ?? []), op]);
    expect([...jobs.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const [job, members] of jobs) {
      expect(members).toHaveLength(500);
      expect(new Set(members.map((o) => o.at))).toEqual(new Set([500_000 + 1_000_000 * job]));
      expect(members.every((o) => o.kind === 'adjust' && o.account === 1 && Math.abs(o.amount) === 7)).toBe(true);
    }
    const credits = ops.filter((o) => o.job !== -1 && o.amount > 0).length;
    expect(Math.abs(credits / 5000 - 0.3)).toBeLessThan(tolerance(0.3, 5000));
    // Background ops never carry a job id, and the merged stream stays in time order with dense ids.
    expect(ops.filter((o) => o.job === -1).every((o) => o.kind === 'charge')).toBe(true);
    ops.forEach((op, i) => {
      expect(op.id).toBe(i);
      if (i > 0) expect(op.at).toBeGreaterThanOrEqual(ops[i - 1]!.at);
    });
  });

  it('spreads a job evenly over `spread` and interleaves it with background ops', async () => {
    const ops = [...generateOps(await plan(yaml('100ms')))];
    const first = ops.filter((o) => o.job === 0);
    expect(first.map((o) => o.at)).toEqual(Array.from({ length: 500 }, (_, i) => 500_000 + 200 * i));
    const span = ops.filter((o) => o.at >= 500_000 && o.at < 600_000);
    expect(span.some((o) => o.job === -1)).toBe(true); // background arrivals land between the job's ops
  });

  it('only schedules whole jobs that fit in the schedule', async () => {
    // Jobs at 0.5 s … 8.5 s fit in 9.55 s with a 1 s spread? 8.5 + 1 = 9.5 ≤ 9.55: yes; 9.5 + 1 > 9.55: no.
    const ops = [...generateOps(await plan(yaml('1s', '9550ms')))];
    const jobIds = new Set(ops.filter((o) => o.job !== -1).map((o) => o.job));
    expect(jobIds.size).toBe(9);
    expect(ops.filter((o) => o.job !== -1)).toHaveLength(4500);
    expect(ops.every((o) => o.at < 9_550_000)).toBe(true);
  });
});
