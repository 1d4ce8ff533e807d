/**
 * The path of the `hotbench` executable of this installation, for commands
 * that start hotbench child processes (sweep workers): the same code, not
 * whatever `hotbench` is on PATH.
 */
import { join } from 'node:path';
import { packageRoot } from '../../scenarios/index.js';

/** `<package root>/bin/hotbench.js`. */
export function cliEntryPath(): string {
  return join(packageRoot(), 'bin', 'hotbench.js');
}
