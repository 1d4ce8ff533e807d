/**
 * Trace files: a written trace replays the same ops and accounts; a captured
 * trace written by hand replays too; every malformed line is reported as
 * `file:line: what is wrong`, and reading streams (the file is never loaded whole).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Op } from '../strategies/contract.js';
import { compilePlan, loadScenario, openTrace, TraceError, writeTrace } from '../scenarios/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hb-scenarios-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const header = {
  format: 'hotbench-trace',
  version: 1,
  scenario: 'captured',
  seed: 0,
  durationUs: 1_000_000,
  accounts: { count: 4, default: { balance: 500, floor: 0, threshold: 0 }, special: [{ id: 0, name: 'merchant', hot: true, balance: 100, floor: -50, threshold: 10 }] },
};
const op = (id: number, at: number, kind: string, account: number, amount: number, job = -1) => JSON.stringify({ id, at, kind, account, amount, job });

function trace(lines: readonly string[]): string {
  const path = join(dir, `t${n++}.ndjson`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

async function collect(path: string): Promise<Op[]> {
  const source = await openTrace(path);
  const ops: Op[] = [];
  for await (const o of source.ops()) ops.push(o);
  return ops;
}

async function failure(path: string): Promise<string> {
  const err = await collect(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TraceError);
  expect((err as Error).name).toBe('TraceError');
  return (err as Error).message;
}

describe('trace files', () => {
  it('writes a header line and one fixed-order op per line', async () => {
    const plan = compilePlan(await loadScenario('fleet-bulk'), { durationUs: 3_000_000 });
    const path = join(dir, 'fleet.ndjson');
    const written = await writeTrace(plan, path);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(written.ops + 1);
    expect(written.bytes).toBe(readFileSync(path).length);
    const head = JSON.parse(lines[0]!);
    expect(head).toMatchObject({ format: 'hotbench-trace', version: 1, scenario: 'fleet-bulk', seed: 1, durationUs: 3_000_000 });
    // 1,000 scenario accounts, then the double-entry platform accounts (revenue, settlement, clearing).
    expect(head.accounts.count).toBe(1004);
    expect(head.accounts.special).toEqual([
      { id: 0, name: 'fleet-operator', hot: true, balance: plan.accounts[0]!.balance, floor: -5_000_000, threshold: -5_000_000 },
      ...plan.accounts.slice(1001).map((a) => ({ id: a.id, name: a.name, hot: false, role: a.role, balance: a.balance, floor: a.floor, threshold: a.threshold })),
    ]);
    expect(plan.accounts.slice(1001).map((a) => a.role)).toEqual(['revenue', 'settlement', 'clearing']);
    expect(lines[1]).toMatch(/^\{"id":0,"at":\d+,"kind":"[a-z]+","account":\d+,"amount":-?\d+,"job":-?\d+\}$/);
  });

  it('replays a hand-written capture with the accounts from its header', async () => {
    const path = trace([JSON.stringify(header), op(0, 0, 'charge', 0, 30), op(1, 0, 'read', 2, 0), op(2, 10, 'adjust', 0, -5, 0), op(3, 999_999, 'topup', 3, 7)]);
    const source = await openTrace(path);
    expect(source.accounts).toEqual([
      { id: 0, name: 'merchant', hot: true, balance: 100, floor: -50, threshold: 10 },
      { id: 1, name: '', hot: false, balance: 500, floor: 0, threshold: 0 },
      { id: 2, name: '', hot: false, balance: 500, floor: 0, threshold: 0 },
      { id: 3, name: '', hot: false, balance: 500, floor: 0, threshold: 0 },
    ]);
    expect(await collect(path)).toEqual([
      { id: 0, at: 0, kind: 'charge', account: 0, amount: 30, job: -1 },
      { id: 1, at: 0, kind: 'read', account: 2, amount: 0, job: -1 },
      { id: 2, at: 10, kind: 'adjust', account: 0, amount: -5, job: 0 },
      { id: 3, at: 999_999, kind: 'topup', account: 3, amount: 7, job: -1 },
    ]);
  });

  it.each([
    ['bad JSON', [op(0, 0, 'charge', 1, 1), '{"id":1,'], 3, 'not valid JSON: expected {"id":..,"at":..,"kind":..,"account":..,"amount":..,"job":..}'],
    ['a gap in ids', [op(0, 0, 'charge', 1, 1), op(2, 5, 'charge', 1, 1)], 3, 'id is 2, expected 1 (ids are dense from 0, in order)'],
    ['time going backwards', [op(0, 50, 'charge', 1, 1), op(1, 49, 'charge', 1, 1)], 3, 'at is 49, expected an integer µs in [50, 1000000) (non-decreasing, inside the header\'s durationUs)'],
    ['an op past the end', [op(0, 1_000_000, 'charge', 1, 1)], 2, 'at is 1000000, expected an integer µs in [0, 1000000) (non-decreasing, inside the header\'s durationUs)'],
    ['an unknown kind', [op(0, 0, 'refund', 1, 1)], 2, 'kind is "refund", expected one of charge, topup, adjust, withdraw, read'],
    ['an unknown account', [op(0, 0, 'charge', 4, 1)], 2, 'account is 4, expected an integer in [0, 4)'],
    ['a read with an amount', [op(0, 0, 'read', 1, 3)], 2, 'amount is 3, expected 0 for a read'],
    ['a negative charge', [op(0, 0, 'charge', 1, -3)], 2, 'amount is -3, expected ≥ 0 for a charge (the kind gives the sign)'],
    ['a fractional amount', [op(0, 0, 'topup', 1, 2.5)], 2, 'amount is 2.5, expected an integer number of minor units'],
    ['a job id on a charge', [op(0, 0, 'charge', 1, 1, 3)], 2, 'job is 3, expected -1 (only adjust ops belong to jobs)'],
    ['an extra key', ['{"id":0,"at":0,"kind":"read","account":1,"amount":0,"job":-1,"note":"x"}'], 2, 'unknown key "note" (allowed: id, at, kind, account, amount, job)'],
    ['a missing key', ['{"id":0,"at":0,"kind":"read","account":1,"amount":0}'], 2, 'missing "job"'],
    ['a blank line inside', [op(0, 0, 'read', 1, 0), '', op(1, 0, 'read', 1, 0)], 3, 'empty line inside the trace'],
    ['an overlong line', [op(0, 0, 'read', 1, 0), ' '.repeat(5000)], 3, 'line is longer than 4096 bytes'],
  ])('reports %s with file:line', async (_, body, line, what) => {
    const path = trace([JSON.stringify(header), ...body]);
    expect(await failure(path)).toBe(`${path}:${line}: ${what}`);
  });

  it('reports a bad header at line 1, before any op is read', async () => {
    const path = trace([JSON.stringify({ ...header, version: 2 }), op(0, 0, 'read', 1, 0)]);
    await expect(openTrace(path)).rejects.toThrow(`${path}:1: bad header: version: expected one of 1, got 2`);
    const notJson = trace(['hello', op(0, 0, 'read', 1, 0)]);
    await expect(openTrace(notJson)).rejects.toThrow(`${notJson}:1: the header is not JSON: expected {"format":"hotbench-trace","version":1,...}`);
    const hotLast = trace([JSON.stringify({ ...header, accounts: { ...header.accounts, special: [{ ...header.accounts.special[0], id: 2 }] } })]);
    await expect(openTrace(hotLast)).rejects.toThrow(`${hotLast}:1: bad header: hot accounts must have the lowest ids (0..0)`);
  });

  it('reports an empty, missing or non-UTF-8 trace', async () => {
    const empty = join(dir, 'empty.ndjson');
    writeFileSync(empty, '');
    await expect(openTrace(empty)).rejects.toThrow(`${empty}:1: is empty: expected a header line {"format":"hotbench-trace",...}`);
    await expect(openTrace(join(dir, 'missing.ndjson'))).rejects.toThrow(`${join(dir, 'missing.ndjson')}: no such file`);
    const latin = join(dir, 'latin.ndjson');
    writeFileSync(latin, Buffer.concat([Buffer.from(JSON.stringify(header) + '\n'), Buffer.from([0xff, 0x0a])]));
    expect(await failure(latin)).toBe(`${latin}:2: line is not valid UTF-8`);
  });
});
