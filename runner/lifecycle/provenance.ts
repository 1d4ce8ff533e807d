/**
 * The facts recorded with every run so a number can be traced to what
 * produced it: git revision, versions, host (STYLE.md §9).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../scenarios/catalog.js';

/** Host and build facts. */
export interface Provenance {
  /** `git rev-parse HEAD`, with `+dirty` when the work tree has changes; '' outside a checkout. */
  readonly gitRev: string;
  readonly gitBranch: string;
  readonly hotbenchVersion: string;
  readonly nodeVersion: string;
  readonly hostName: string;
  readonly hostCores: number;
  /** Total memory, bytes. */
  readonly hostMemBytes: number;
}

function git(args: string[], cwd: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim();
  } catch {
    return '';
  }
}

/** Reads the provenance of this hotbench checkout and host. */
export function readProvenance(): Provenance {
  const root = packageRoot();
  let version = '0.0.0';
  try {
    version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? version;
  } catch {
    // A missing package.json only costs the version string.
  }
  const rev = git(['rev-parse', 'HEAD'], root);
  const dirty = rev !== '' && git(['status', '--porcelain', '--untracked-files=no'], root) !== '';
  return {
    gitRev: rev === '' ? '' : `${rev}${dirty ? '+dirty' : ''}`,
    gitBranch: git(['rev-parse', '--abbrev-ref', 'HEAD'], root),
    hotbenchVersion: version,
    nodeVersion: process.version,
    hostName: hostname(),
    hostCores: cpus().length,
    hostMemBytes: totalmem(),
  };
}
