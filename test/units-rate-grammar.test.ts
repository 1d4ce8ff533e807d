/**
 * The one rate grammar (units/rate.ts), as every reader of rates sees it: a
 * command-line flag, a scenario file and a strategy parameter read `2k/s`,
 * `2000/s` and `2000` as the same ops/s, and each keeps its own bounds.
 */
import { describe, expect, it } from 'vitest';
import { parseRate } from '../runner/config/units.js';
import { parseScenario } from '../scenarios/load.js';
import { ScenarioError } from '../scenarios/errors.js';
import { rateLimitParams } from '../strategies/rate-limit/params.js';
import { readRate } from '../units/rate.js';

const scenario = (rate: string) =>
  parseScenario(`name: r\ndescription: rates\naccounts: { count: 2, balance: 1000, floor: 0 }\nphases: [{ duration: 1s, arrival: { process: constant, rate: ${rate} } }]\nmix: { charge: 1 }\n`, 'r.yaml');
const arrivalRate = (rate: string) => (scenario(rate).phases[0]!.arrival as { rate: number }).rate;

describe('rate grammar', () => {
  it('reads a number, an optional k and an optional /s, in any case, spaces allowed', () => {
    expect(['800', '800/s', '1.5k/s', '2k', '2 K /s', ' 0.5/s '].map((t) => readRate(t))).toEqual([800, 800, 1500, 2000, 2000, 0.5]);
    expect(readRate(800)).toBe(800);
    for (const bad of ['', 'fast', '-5', '2m/s', '1e3', '5/min', '2kk']) expect(readRate(bad), bad).toBeUndefined();
    expect(readRate(-1)).toBeUndefined();
  });

  it('gives the same ops/s on the command line, in a scenario file and in a strategy parameter', () => {
    for (const text of ['2k/s', '2000/s', '2000']) {
      expect(parseRate(text, '--start'), text).toBe(2000);
      expect(arrivalRate(JSON.stringify(text)), text).toBe(2000);
      expect(rateLimitParams.parse({ rate: text }).rate, text).toBe(2000);
    }
    expect(arrivalRate('2000')).toBe(2000); // a YAML number stays as it always was
  });

  it('keeps each reader\'s bounds and says how to write a rate', () => {
    expect(() => parseRate('0', '--start')).toThrow('--start: "0" is not a rate; write ops per second from 1 to 10,000,000, e.g. 100/s or 2k/s');
    expect(arrivalRate('"0.5/s"')).toBe(0.5); // a scenario may go below 1/s
    expect(() => scenario('"20000k/s"')).toThrow(ScenarioError);
    expect(() => scenario('"20000k/s"')).toThrow(/must be ≤ 10000000/);
    expect(() => scenario('"fast"')).toThrow(/expected a rate: a number of ops per second, or text such as "100\/s" or "2k\/s"/);
    expect(() => rateLimitParams.parse({ rate: '1.5/s' })).toThrow(/is not a rate such as 800, 100\/s or 2k\/s, a whole number of ops per second/);
  });
});
