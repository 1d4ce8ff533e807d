/**
 * Close calls: where the verdict's pick hinges on a measurement within
 * {@link NEAR_LIMIT_SHARE} of its limit, so that the run-to-run spread of a
 * percentile could change the pick. Two kinds, each checked by choosing
 * again with that one check flipped (the verdict's own rule, passed in):
 *
 * - `missed`: a strategy fails only on limits it missed by less than the
 *   margin, and had it passed them it would be the pick.
 * - `passed`: the pick passes a limit by less than the margin, and had it
 *   failed that limit the pick would be another strategy (or none).
 *
 * Only SLO limits count: ledger integrity (lost, duplicated, conservation)
 * is a count that no rerun makes acceptable, and a limit of 0 has no margin.
 */
import { formatShare } from '../common/format.js';
import { SLO_KEYS, type SloKey } from '../common/slo.js';
import type { CloseCall, JudgedStrategy, NearCheck, VerdictCheck } from '../common/verdict-types.js';

export type { CloseCall, NearCheck } from '../common/verdict-types.js';

/** A measurement within this share of its limit (above or below) is near it: run-to-run spread of a p99 is about this size here. */
export const NEAR_LIMIT_SHARE = 0.1;

const isSloKey = (key: string): key is SloKey => (SLO_KEYS as readonly string[]).includes(key);

/** `check` as a near check, or undefined when it is not an SLO limit within the margin. */
function near(check: VerdictCheck): NearCheck | undefined {
  const { key, limit, measured } = check;
  if (!isSloKey(key) || measured === null || !(limit > 0)) return undefined;
  const within = check.ok ? measured >= limit * (1 - NEAR_LIMIT_SHARE) : measured <= limit * (1 + NEAR_LIMIT_SHARE);
  return within ? { key, limit, measured, text: check.text } : undefined;
}

/** The check's text with its distance from the limit: `…, 0.9% over` / `…, 5.1% under the limit`. */
function margin(c: NearCheck): string {
  const share = Math.abs(c.measured - c.limit) / c.limit;
  return c.measured > c.limit ? `${c.text}, ${formatShare(share)} over` : `${c.text}, ${formatShare(share)} under the limit`;
}

/**
 * The close calls of a verdict. `pickOf(qualifying)` must be the verdict's
 * own choice among a set of qualifying strategies (null when none). Returns
 * [] when there is nothing a small spread could change.
 */
export function closeCalls(judged: readonly JudgedStrategy[], pick: string | null, pickOf: (qualifying: readonly JudgedStrategy[]) => string | null): CloseCall[] {
  const qualified = judged.filter((j) => j.qualifies);
  const calls: CloseCall[] = [];
  for (const j of judged) {
    if (j.qualifies) continue;
    const failed = j.checks.filter((c) => !c.ok);
    const nearMisses = failed.map(near);
    if (failed.length === 0 || nearMisses.some((n) => n === undefined)) continue;
    const checks = nearMisses as NearCheck[];
    if (pickOf(judged.filter((o) => o.qualifies || o === j)) !== j.label) continue;
    calls.push({
      kind: 'missed',
      label: j.label,
      checks,
      pick_otherwise: j.label,
      text: `close call: ${j.label} missed only narrowly (${checks.map(margin).join('; ')}) and would otherwise be the pick; rerun (or use --repeat) before ${pick === null ? 'concluding that none qualifies' : `relying on ${pick}`}.`,
    });
  }
  const picked = judged.find((j) => j.label === pick);
  if (picked) {
    for (const check of picked.checks) {
      const n = check.ok ? near(check) : undefined;
      if (!n) continue;
      const otherwise = pickOf(qualified.filter((q) => q !== picked));
      calls.push({
        kind: 'passed',
        label: picked.label,
        checks: [n],
        pick_otherwise: otherwise,
        text: `close call: ${picked.label} passed ${margin(n)}; had it missed, the pick would be ${otherwise ?? 'none'}.`,
      });
    }
  }
  return calls;
}
