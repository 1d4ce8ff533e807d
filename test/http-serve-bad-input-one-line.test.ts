/**
 * `hotbench serve` refuses bad input in one clean line with exit code 2:
 * no strategy, several strategies, a bad port, a port already taken.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from './support/cli.js';
import { PG_URL } from './support/database.js';

describe('serve: bad input', () => {
  const taken = net.createServer();
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    port = (taken.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise((r) => taken.close(r)));

  it.each([
    [['--pg', PG_URL], /^hotbench: serve: name the strategy to serve with --strategy, e\.g\. --strategy row-lock/],
    [['--strategy', 'atomic,row-lock', '--pg', PG_URL], /^hotbench: serve: give exactly one strategy with --strategy, e\.g\. --strategy row-lock \(got atomic, row-lock\)\./],
    [['--strategy', 'no-such', '--pg', PG_URL], /^hotbench: strategy spec 'no-such': unknown strategy 'no-such'; known strategies: aggregate, atomic/],
    [['--strategy', 'atomic', '--port', '70000', '--pg', PG_URL], /^hotbench: --port: 70000 is not a TCP port; give 0 to 65535/],
    [['--strategy', 'atomic', '--max-op-id', '-1', '--pg', PG_URL], /^hotbench: --max-op-id: -1 is not a non-negative integer\./],
  ])('%j → one line', async (args, says) => {
    const res = await runCli(['serve', ...args], { timeoutMs: 60_000 });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(says);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(hasStackTrace(res.stderr)).toBe(false);
  });

  it('a port already in use: one line saying so, after tidying up', async () => {
    const res = await runCli(['serve', '--strategy', 'atomic', '--pg', PG_URL, '--port', String(port)], { timeoutMs: 60_000 });
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe(`hotbench: port ${port} on 127.0.0.1 is in use: give --port N (0 picks a free one).`);
    expect(res.stdout).toBe('');
  });
});
