/**
 * `--via` / `HOTBENCH_VIA`: how the driver reaches a strategy. Kept apart
 * from ./via.ts so the configuration can parse it without loading the HTTP
 * machinery.
 * - `direct` (default): the driver calls the strategy in-process.
 * - `http`: the strategy is served by a `hotbench serve` child process and
 *   every op goes over HTTP: the service layer's cost is measured too, with
 *   client and server on separate event loops. Backend `http+<inner>`.
 * - `http-inprocess`: the same server and client in the runner's process (one
 *   event loop). Backend `http-inprocess+<inner>`.
 */
import { UserError } from '../errors.js';

/** The `--via` values. */
export const VIA_MODES = ['direct', 'http', 'http-inprocess'] as const;
/** How ops reach a strategy: one of {@link VIA_MODES}. */
export type Via = (typeof VIA_MODES)[number];

/** Parses a `--via` / `HOTBENCH_VIA` value; undefined → `direct`. */
export function parseVia(value: unknown, where: string): Via {
  if (value === undefined) return 'direct';
  const text = String(value).trim();
  if ((VIA_MODES as readonly string[]).includes(text)) return text as Via;
  throw new UserError(`${where}: ${JSON.stringify(text)} is not a way to reach the strategies; use ${VIA_MODES.join(', ')}.`);
}
