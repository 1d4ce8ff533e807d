/**
 * `hotbench blast` with a target that is missing, malformed or not
 * listening ends with one clean line (what, how to fix) and exit code 2,
 * before anything is recorded.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hotbench-blast-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('blast: bad --target', () => {
  it.each([
    [[], /^hotbench: blast: give the service to load with --target URL, e\.g\. --target http:\/\/127\.0\.0\.1:8080/],
    [['--target', 'not a url'], /^hotbench: --target: "not a url" is not a URL; give the service's base URL/],
    [['--target', 'ftp://127.0.0.1:21'], /^hotbench: --target must start with http:\/\/ or https:\/\/ \(got ftp:\/\/\.\.\.\)\./],
    [['--target', 'http://u:secret@127.0.0.1:1/?x=1'], /^hotbench: --target: give the base URL without \?query or #fragment/],
    [['--target', 'http://127.0.0.1:8080', '--connections', '0'], /^hotbench: --connections: 0 is not an integer from 1 to 10000\./],
  ])('%j → one line', async (args, says) => {
    const res = await runCli(['blast', ...args, '--duration', '1s', '--data-dir', dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(says);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).not.toContain('secret');
    expect(hasStackTrace(res.stderr)).toBe(false);
  });

  it('a target nobody listens on: one line saying it is unreachable, nothing recorded', async () => {
    const port = await closedPort();
    const res = await runCli(['blast', '--target', `http://127.0.0.1:${port}`, '--duration', '1s', '--data-dir', dir]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe(
      `hotbench: --target http://127.0.0.1:${port}/ is unreachable (ECONNREFUSED); start the service (e.g. hotbench serve --strategy row-lock) or fix --target.`,
    );
    expect(existsSync(join(dir, 'clickhouse'))).toBe(false); // refused before the store was opened
  });
});
