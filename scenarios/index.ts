/**
 * Public API of the scenarios module: load a scenario (YAML) or a trace,
 * compile it into a plan, generate the op stream, summarize it.
 *
 * Typical use (what `hotbench run` does):
 *   const loaded = await loadScenario('advertiser-burst');
 *   const plan = compilePlan(loaded, { durationUs: 10_000_000 });
 *   console.log(formatPlanSummary(summarizePlan(plan)));   // --dry-run
 *   for await (const op of planSource(plan).ops()) ...      // the replay
 */
export { burstWindows, expectedOps } from './arrivals.js';
export { listScenarios, packageRoot, type CatalogEntry } from './catalog.js';
export { formatIssue, ScenarioError, type ScenarioIssue } from './errors.js';
export { generateOps } from './generate.js';
export { loadScenario, parseScenario, MAX_YAML_ALIASES, type LoadedScenario } from './load.js';
export {
  compilePlan,
  type Plan,
  type PlanAmounts,
  type PlanArrival,
  type PlanBursts,
  type PlanJob,
  type PlanKeys,
  type PlanMix,
  type PlanOverrides,
  type PlanPhase,
  type PlanSlo,
} from './plan.js';
export { createRng, type Rng } from './random.js';
export { MAX_SCENARIO_BYTES } from './read-text.js';
export { NAME_PATTERN, scenarioSchema, type AmountSpec, type MixSpec, type Scenario, type ScenarioInput } from './schema.js';
export { StreamHasher, streamSerialize, streamSha256 } from './serialize.js';
export { planSource, type OpSource } from './source.js';
export { formatPlanSummary } from './summary-format.js';
export { summarizePlan, whereInPlan, type HotAccountSummary, type PhaseSummary, type PlanSummary } from './summary.js';
export { openTrace, TRACE_FORMAT, TRACE_VERSION, traceHeader, TraceError, writeTrace, type TraceHeader, type TraceSource } from './trace.js';
export { durationToMicros, MAX_ACCOUNTS, MAX_AMOUNT, MAX_BALANCE, MAX_DURATION_US, MAX_MULTIPLIER, MAX_RATE } from './units.js';
