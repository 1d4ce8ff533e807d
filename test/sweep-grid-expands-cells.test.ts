/**
 * A sweep's grid expands into independent cells: strategies × their
 * parameter values × rate scales × pool sizes, each resolved to a canonical
 * label; bad axes are refused in one line before anything runs.
 */
import { describe, expect, it } from 'vitest';
import { builtinRegistry } from '../strategies/registry.js';
import { expandGrid, parseNumberAxis, parseParamAxis, type SweepAxes } from '../runner/sweep/grid.js';

const registry = builtinRegistry();
const axes = (over: Partial<SweepAxes>): SweepAxes => ({ strategies: 'row-lock', params: [], rateScales: [1], connections: [16], ...over });

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    const line = (err as Error).message;
    expect(line).not.toContain('\n');
    return line;
  }
  throw new Error('expected a refusal');
}

describe('sweep grid', () => {
  it('crosses strategies, parameter values, rate scales and pool sizes into dense cells', () => {
    const cells = expandGrid(
      axes({
        strategies: 'row-lock,aggregate',
        params: [parseParamAxis('aggregate:window=1ms,5ms,20ms')],
        rateScales: parseNumberAxis('1,2,4', '--rate-scale'),
        connections: parseNumberAxis('4,16', '--connections', { integer: true }),
      }),
      registry,
    );
    // (1 + 3) strategy configurations × 3 rates × 2 pools.
    expect(cells).toHaveLength(24);
    expect(cells.map((c) => c.index)).toEqual([...Array(24).keys()]);
    expect(new Set(cells.map((c) => `${c.strategy}|${c.rateScale}|${c.connections}`)).size).toBe(24);
    // 5ms is aggregate's default window, so its canonical label is the plain name.
    expect([...new Set(cells.map((c) => c.strategy))]).toEqual(['row-lock', 'aggregate:window=1ms', 'aggregate', 'aggregate:window=20ms']);
    expect(cells[0]).toEqual({ index: 0, strategy: 'row-lock', rateScale: 1, connections: 4 });
    expect(cells[23]).toEqual({ index: 23, strategy: 'aggregate:window=20ms', rateScale: 4, connections: 16 });
  });

  it('crosses two parameters of one strategy and keeps the ones set in --strategies', () => {
    const cells = expandGrid(axes({ strategies: 'aggregate:max=100', params: [parseParamAxis('aggregate:window=1ms,20ms')] }), registry);
    expect(cells.map((c) => c.strategy)).toEqual(['aggregate:max=100,window=1ms', 'aggregate:max=100,window=20ms']);
    const two = expandGrid(axes({ strategies: 'aggregate', params: [parseParamAxis('aggregate:window=1ms,20ms'), parseParamAxis('aggregate:max=100,500')] }), registry);
    expect(two).toHaveLength(4);
  });

  it('refuses bad axes in one line each', () => {
    expect(refusal(() => parseParamAxis('aggregate-window=1ms'))).toMatch(/expected strategy:key=v1,v2/);
    expect(refusal(() => parseParamAxis('aggregate:window=1ms,1ms'))).toMatch(/value 1ms is listed twice/);
    expect(refusal(() => parseNumberAxis('1,0,4', '--rate-scale'))).toMatch(/--rate-scale \(item 2 of "1,0,4"\): "0" is not a positive number/);
    expect(refusal(() => parseNumberAxis('4,4.5', '--connections', { integer: true }))).toMatch(/not a positive integer/);
    expect(refusal(() => expandGrid(axes({ params: [parseParamAxis('aggregate:window=1ms')] }), registry))).toMatch(/aggregate is not in --strategies \(row-lock\)/);
    expect(refusal(() => expandGrid(axes({ strategies: 'aggregate', params: [parseParamAxis('aggregate:window=fast')] }), registry))).toMatch(/window/);
    expect(refusal(() => expandGrid(axes({ strategies: 'aggregate:window=2ms', params: [parseParamAxis('aggregate:window=1ms')] }), registry))).toMatch(/window is already set in --strategies/);
    expect(refusal(() => expandGrid(axes({ strategies: 'aggregate,aggregate:window=5ms', params: [] }), registry))).toMatch(/the sweep lists aggregate twice/);
    expect(refusal(() => expandGrid(axes({ strategies: 'row-lock', rateScales: Array.from({ length: 101 }, (_, i) => i + 1), connections: Array.from({ length: 100 }, (_, i) => i + 1) }), registry))).toMatch(/10100 cells, more than 10000/);
  });
});
