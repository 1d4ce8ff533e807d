/**
 * docker-compose.yml is checked by a real compose tool: Debian's docker-compose
 * 1.29.2 (`config -q` parses, validates against its schema and interpolates,
 * without a Docker engine). scripts/test-services.sh installs it, so a missing
 * tool fails here rather than skipping. The same check on a copy with a key the
 * schema refuses must fail, or the check itself would prove nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../scenarios/index.js';

function composeConfig(file: string): { status: number | null; stderr: string } {
  const res = spawnSync('docker-compose', ['-f', file, 'config', '-q'], { encoding: 'utf8', timeout: 60_000 });
  if (res.error) throw new Error(`docker-compose could not run (${res.error.message}): scripts/test-services.sh installs it`);
  return { status: res.status, stderr: res.stderr };
}

describe('docker-compose.yml under docker-compose 1.29.2', () => {
  it('is valid: `docker-compose config -q` accepts it', () => {
    const res = composeConfig(join(packageRoot(), 'docker-compose.yml'));
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('the same check refuses a service key the schema does not have', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotbench-compose-'));
    const broken = readFileSync(join(packageRoot(), 'docker-compose.yml'), 'utf8').replace('  redis:\n', '  redis:\n    not_a_compose_key: 1\n');
    const file = join(dir, 'docker-compose.yml');
    writeFileSync(file, broken);
    const res = composeConfig(file);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/not_a_compose_key/);
  });
});
