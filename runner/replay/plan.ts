/**
 * Which strategies a run replays: the `--strategies` text resolved against
 * the registry, or, when absent, every registered strategy that stands on its
 * own (composites such as `rate-limit(...)` need an inner strategy, so they
 * run only when asked for).
 */
import { resolveStrategies, type ResolvedStrategy } from '../../strategies/spec.js';
import type { StrategyRegistry } from '../../strategies/registry.js';
import type { PlannedStrategy } from './replay.js';

/** The strategies to replay, in order. Throws a one-line `SpecError` for a bad spec. */
export function planStrategies(text: string | undefined, registry: StrategyRegistry): PlannedStrategy[] {
  const spec = text ?? registry.list().filter((d) => d.composite !== true).map((d) => d.name).join(',');
  return resolveStrategies(spec, registry).map(toPlanned);
}

function needsOf(r: ResolvedStrategy): PlannedStrategy['needs'] {
  const needs = new Set(r.definition.needsFor ? r.definition.needsFor(r.params) : r.definition.needs);
  if (r.inner) for (const n of needsOf(r.inner)) needs.add(n);
  return [...needs];
}

function toPlanned(r: ResolvedStrategy): PlannedStrategy {
  return { label: r.label, name: r.definition.name, needs: needsOf(r), params: r.params, create: () => r.create() };
}
