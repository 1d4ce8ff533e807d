/**
 * `sweep --workers N` runs cells in N child processes at a time: never more,
 * really overlapping, each child's exit reported (a failing one stops nothing).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runWorkers, type WorkerTask } from '../runner/sweep/workers.js';

const dir = mkdtempSync(join(tmpdir(), 'hb-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A child that appends "start end" (ms) to its own file after sleeping `ms`, then exits with `code`. */
const sleeper = (i: number, ms: number, code = 0): WorkerTask => ({
  label: `cell ${i}`,
  command: process.execPath,
  args: ['-e', `const s=Date.now();setTimeout(()=>{require('fs').writeFileSync(${JSON.stringify(join(dir, `t${i}`))}, s+' '+Date.now());console.log('done ${i}');process.exit(${code})}, ${ms})`],
});

function spans(n: number): [number, number][] {
  return Array.from({ length: n }, (_, i) => readFileSync(join(dir, `t${i}`), 'utf8').split(' ').map(Number) as [number, number]);
}
function mostAtOnce(s: [number, number][]): number {
  return Math.max(...s.map(([a]) => s.filter(([b, e]) => b <= a && a < e).length));
}

describe('local sweep workers', () => {
  it('runs at most N children at a time, and they overlap', async () => {
    const lines: string[] = [];
    const results = await runWorkers([0, 1, 2, 3].map((i) => sleeper(i, 800, i === 2 ? 3 : 0)), { workers: 2, log: (l) => lines.push(l) });
    expect(results.map((r) => r.code)).toEqual([0, 0, 3, 0]);
    expect(results[0]!.lastLine).toBe('done 0');
    expect(lines).toContain('[cell 3] done 3');
    expect(mostAtOnce(spans(4))).toBe(2);
  });

  it('runs one at a time with one worker', async () => {
    await runWorkers([0, 1, 2].map((i) => sleeper(i, 200)), { workers: 1, log: () => undefined });
    expect(mostAtOnce(spans(3))).toBe(1);
  });

  it('reports a command that cannot start instead of throwing', async () => {
    const [r] = await runWorkers([{ label: 'cell 0', command: join(dir, 'no-such-binary'), args: [] }], { workers: 1, log: () => undefined });
    expect(r!.code).toBe(127);
    expect(r!.lastLine).toMatch(/cannot start .*no-such-binary/);
  });
});
