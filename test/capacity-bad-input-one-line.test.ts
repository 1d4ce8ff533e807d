/**
 * `hotbench capacity` and `hotbench compare` refuse bad input before touching
 * a server: one line on stderr, no stack, exit 2 (run with the compiled CLI).
 * `capacity --dry-run` prints the ladder it would climb.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDataDir } from './compare-fixture.js';
import { hasStackTrace, runCli } from './support/cli.js';

describe('capacity and compare bad input', () => {
  const dir = tempDataDir('hotbench-capacity-input-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const refused = async (args: string[], message: RegExp) => {
    const res = await runCli([...args, '--data-dir', dir], { timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(2);
    expect(hasStackTrace(res.stderr)).toBe(false);
    const lines = res.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^hotbench: /);
    expect(res.stderr).toMatch(message);
    return lines;
  };

  it('capacity: flags that do not apply, a max below the start, a bad rate, a bad SLO', async () => {
    expect(await refused(['capacity', '--duration', '3s'], /--duration does not apply to capacity: .* use --start, --max, --factor and --step-duration/)).toHaveLength(1);
    expect(await refused(['capacity', '--start', '2k/s', '--max', '1000'], /--max 1000\/s is below --start 2000\/s/)).toHaveLength(1);
    expect(await refused(['capacity', '--start', 'fast'], /--start: "fast" is not a rate; write ops per second/)).toHaveLength(1);
    expect(await refused(['capacity', '--min-step-ops', '5000', '--max-step-ops', '2000'], /--min-step-ops 5000 is above --max-step-ops 2000/)).toHaveLength(1);
    expect(await refused(['capacity', '--slo', 'p99_ack_ms<soon'], /--slo: p99_ack_ms: "soon" is not a duration/)).toHaveLength(1);
  }, 90_000);

  it('capacity --dry-run prints the ladder and the SLO without a server', async () => {
    const res = await runCli(['capacity', '--dry-run', '--start', '100', '--max', '1000', '--step-duration', '2s', '--slo', 'p99_ack_ms<20ms']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('SLO: p99_ack_ms<=20ms,reject_pct<=1%,kept_up>=95%,lost<=0');
    // Slow steps stretched to 1,000 ops (--min-step-ops), the rest --step-duration long.
    expect(res.stdout).toMatch(/ +100\/s {2}10\.0 s {2}1000 ops\n +200\/s {2}5\.0 s {2}1000 ops\n +400\/s {2}2\.5 s {2}1000 ops\n +800\/s {2}2\.0 s {2}1600 ops\n +1000\/s {2}2\.0 s {2}2000 ops\n/);
  }, 60_000);

  it('compare: a malformed run reference, an unknown run, bad thresholds (one line each)', async () => {
    expect(await refused(['compare', '--baseline', 'latest:', '--candidate', 'x'], /--baseline "latest:": name a git branch after latest:/)).toHaveLength(1);
    expect(await refused(['compare', '--baseline', 'no-such-run', '--candidate', 'other-run'], /--candidate: no run other-run in chdb at /)).toHaveLength(1);
    const lines = await refused(['compare', '--baseline', 'a', '--candidate', 'b', '--threshold', 'p99_ack_ms=-3%', '--threshold', 'speed=+1%'], /2 problems:/);
    expect(lines.slice(1)).toEqual([
      '  --threshold "p99_ack_ms=-3%": p99_ack_ms: "-3%" points the wrong way: higher is worse, so write +3%',
      expect.stringMatching(/^ {2}--threshold "speed=\+1%": speed: unknown metric; known: /),
    ]);
  }, 90_000);
});
