/**
 * The design space of a sweep: strategies × their parameter values
 * × rate scales × pool sizes, expanded into independent cells. Each cell is
 * one ordinary run of one strategy, so cells can go to any worker (a local
 * process, a pod of an Indexed Job) in any order.
 *
 * Axes, as the flags give them:
 * - `--strategies row-lock,aggregate`: the strategies (the usual spec grammar);
 * - `--param aggregate:window=1ms,5ms,20ms` (repeatable): one parameter of one
 *   listed strategy and its values; two `--param`s of one strategy cross;
 * - `--rate-scale 1,2,4`: every rate multiplied (budgets follow, as in `run`);
 * - `--connections 4,16`: the PostgreSQL pool size.
 * Every cell's strategy is resolved through the registry, so a bad value is
 * refused before anything runs, and cells carry canonical labels.
 */
import { parseStrategyList, resolveSpec, type SpecNode } from '../../strategies/spec.js';
import type { StrategyRegistry } from '../../strategies/registry.js';
import { UserError } from '../errors.js';
import { parsePositive } from '../config/units.js';

/** Most cells one sweep may expand to: a typo in a list should not start a week of replays. */
export const MAX_CELLS = 10_000;

/** One `--param` axis: `strategy:key=v1,v2,...`. */
export interface ParamAxis {
  /** The (outermost) strategy name it applies to, e.g. `aggregate`. */
  readonly strategy: string;
  readonly key: string;
  /** Values as text, in the order given (validated when the grid expands). */
  readonly values: readonly string[];
}

/** The axes of a sweep, parsed. */
export interface SweepAxes {
  /** The `--strategies` text. */
  readonly strategies: string;
  readonly params: readonly ParamAxis[];
  /** Rate multipliers; default [1]. */
  readonly rateScales: readonly number[];
  /** PostgreSQL pool sizes; default [16] (run's default). */
  readonly connections: readonly number[];
}

/** One independent run of the sweep. */
export interface SweepCell {
  /** 0-based, dense: a Kubernetes completion index or a local worker's queue position. */
  readonly index: number;
  /** Canonical strategy label, a valid `--strategies` value (e.g. `aggregate:window=5ms`). */
  readonly strategy: string;
  readonly rateScale: number;
  readonly connections: number;
}

/** Parses `--param strategy:key=v1,v2` into a {@link ParamAxis}; throws one line. */
export function parseParamAxis(text: string): ParamAxis {
  const m = /^\s*([a-z][a-z0-9-]*)\s*:\s*([a-z][a-z0-9_-]*)\s*=\s*(.+)$/.exec(text);
  if (m === null) throw new UserError(`--param ${JSON.stringify(text)}: expected strategy:key=v1,v2,... e.g. aggregate:window=1ms,5ms,20ms`);
  const values = (m[3] ?? '').split(',').map((v) => v.trim());
  if (values.some((v) => v === '' || v.includes('=') || v.includes(':'))) throw new UserError(`--param ${text}: values are separated by commas and hold no '=' or ':'; one --param per parameter`);
  const dup = values.find((v, i) => values.indexOf(v) !== i);
  if (dup !== undefined) throw new UserError(`--param ${text}: value ${dup} is listed twice`);
  return { strategy: m[1] ?? '', key: m[2] ?? '', values };
}

/** Parses a comma-separated list of positive numbers (`--rate-scale 1,2,4`); throws one line naming the flag. */
export function parseNumberAxis(text: string, flag: string, opts: { integer?: boolean; max?: number } = {}): number[] {
  const values = text.split(',').map((v, i) => parsePositive(v.trim(), `${flag} (item ${i + 1} of ${JSON.stringify(text)})`, opts));
  const dup = values.find((v, i) => values.indexOf(v) !== i);
  if (dup !== undefined) throw new UserError(`${flag} ${text}: ${dup} is listed twice`);
  return values;
}

/**
 * Expands the axes into cells: strategies (with their parameter products)
 * outermost, then rate scales, then pool sizes. Throws a one-line error for
 * a `--param` naming a strategy not in `--strategies`, a parameter set
 * twice, a value the strategy refuses, two cells with one configuration, or
 * more than {@link MAX_CELLS} cells.
 */
export function expandGrid(axes: SweepAxes, registry: StrategyRegistry): SweepCell[] {
  const nodes = parseStrategyList(axes.strategies);
  for (const p of axes.params) {
    if (!nodes.some((n) => n.name === p.strategy)) throw new UserError(`--param ${p.strategy}:${p.key}=...: ${p.strategy} is not in --strategies (${axes.strategies}); add it there or drop the --param`);
  }
  const total = axes.params.length === 0 ? nodes.length : nodes.reduce((sum, n) => sum + axes.params.filter((p) => p.strategy === n.name).reduce((prod, p) => prod * p.values.length, 1), 0);
  const cellCount = total * axes.rateScales.length * axes.connections.length;
  if (cellCount > MAX_CELLS) throw new UserError(`the sweep expands to ${cellCount} cells, more than ${MAX_CELLS}: shorten a list`);
  if (cellCount === 0) throw new UserError('the sweep has no cells: give at least one strategy, rate scale and connection count');

  const labels: string[] = [];
  for (const node of nodes) {
    const axesOf = axes.params.filter((p) => p.strategy === node.name);
    for (const p of axesOf) {
      if (node.params.some(([k]) => k === p.key)) throw new UserError(`--param ${p.strategy}:${p.key}=...: ${p.key} is already set in --strategies (${axes.strategies}); set it in one place`);
      if (axesOf.filter((q) => q.key === p.key).length > 1) throw new UserError(`--param ${p.strategy}:${p.key} is given twice; list every value in one --param`);
    }
    for (const combo of product(axesOf.map((p) => p.values.map((v) => [p.key, v] as [string, string])))) {
      const withParams: SpecNode = { ...node, params: [...node.params, ...combo], colon: true };
      const label = resolveSpec(withParams, registry, axes.strategies).label;
      if (labels.includes(label)) throw new UserError(`the sweep lists ${label} twice (labels drop default values: a --param value equal to the default repeats the plain strategy); drop one`);
      labels.push(label);
    }
  }
  const cells: SweepCell[] = [];
  for (const strategy of labels) for (const rateScale of axes.rateScales) for (const connections of axes.connections) cells.push({ index: cells.length, strategy, rateScale, connections });
  return cells;
}

/** Cartesian product; one empty combination for no axes. */
function product<T>(axes: readonly (readonly T[])[]): T[][] {
  return axes.reduce<T[][]>((acc, values) => acc.flatMap((combo) => values.map((v) => [...combo, v])), [[]]);
}
