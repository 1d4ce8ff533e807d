/** Every malformed `--strategies` text fails with one exact, actionable line. */
import { describe, expect, it } from 'vitest';
import { resolveStrategies, SpecError } from '../strategies/spec.js';
import { testRegistry } from './support/spec-registry.js';

const CASES: [spec: string, message: string][] = [
  ['row-lok', "strategy spec 'row-lok': unknown strategy 'row-lok'; known strategies: aggregate, atomic, optimistic, rate-limit, row-lock"],
  ['aggregate:windw=1ms', "strategy spec 'aggregate:windw=1ms': unknown parameter 'windw' for aggregate; known parameters: max, strict, tag, window"],
  ['row-lock:x=1', "strategy spec 'row-lock:x=1': 'row-lock' takes no parameters (got 'x')"],
  ['aggregate:max=abc', "strategy spec 'aggregate:max=abc': bad value for aggregate parameter 'max': 'abc' (expected a positive integer)"],
  ['aggregate:max=0', "strategy spec 'aggregate:max=0': bad value for aggregate parameter 'max': '0' (expected a positive integer)"],
  ['aggregate:window=5x', "strategy spec 'aggregate:window=5x': bad value for aggregate parameter 'window': '5x' (expected a duration such as 10ms, 1s or 250us)"],
  ['optimistic:backoff=5s', "strategy spec 'optimistic:backoff=5s': bad value for optimistic parameter 'backoff': '5s' (expected a duration such as 10ms, 1s or 250us, between 0ms and 1s)"],
  ['optimistic:isolation=serializable', "strategy spec 'optimistic:isolation=serializable': bad value for optimistic parameter 'isolation': 'serializable' (expected one of read-committed, repeatable-read)"],
  ['aggregate:strict=yes', "strategy spec 'aggregate:strict=yes': bad value for aggregate parameter 'strict': 'yes' (expected true, false, 1 or 0)"],
  ['rate-limit(row-lock', "strategy spec 'rate-limit(row-lock': unbalanced parentheses: the '(' at position 11 is never closed"],
  ['row-lock),atomic', "strategy spec 'row-lock),atomic': unbalanced parentheses: the ')' at position 9 closes nothing"],
  ['rate-limit', "strategy spec 'rate-limit': 'rate-limit' wraps another strategy; write rate-limit(row-lock) or similar"],
  ['rate-limit:rate=5', "strategy spec 'rate-limit:rate=5': 'rate-limit' wraps another strategy; write rate-limit(row-lock) or similar"],
  ['rate-limit()', "strategy spec 'rate-limit()': 'rate-limit()' has no inner strategy; write rate-limit(row-lock) or similar"],
  ['row-lock(atomic)', "strategy spec 'row-lock(atomic)': 'row-lock' does not wrap another strategy; remove '(atomic...)'"],
  ['rate-limit(row-lock,atomic)', "strategy spec 'rate-limit(row-lock,atomic)': 'rate-limit(row-lock,atomic)' wraps 2 strategies; a composite wraps exactly one"],
  ['rate-limit:rate=1(row-lock)', "strategy spec 'rate-limit:rate=1(row-lock)': in 'rate-limit:rate=1(row-lock)': parameters come after the inner strategy, e.g. rate-limit(row-lock):key=value"],
  ['rate-limit(row-lock)x', "strategy spec 'rate-limit(row-lock)x': unexpected 'x' after 'rate-limit(row-lock)'; parameters follow a colon: rate-limit(row-lock):key=value"],
  ['row-lock,,atomic', "strategy spec 'row-lock,,atomic': empty entry after 'row-lock' (two commas in a row, or a trailing comma?)"],
  ['row-lock,', "strategy spec 'row-lock,': empty entry after 'row-lock' (two commas in a row, or a trailing comma?)"],
  [',row-lock', "strategy spec ',row-lock': empty entry at the start (a leading comma?)"],
  ['  ', "strategy spec '  ': no strategy given (e.g. row-lock,atomic)"],
  ['window=1ms,row-lock', "strategy spec 'window=1ms,row-lock': 'window=1ms' comes before any strategy; parameters follow a strategy and a colon, e.g. aggregate:window=1ms"],
  ['row-lock,window=1ms', "strategy spec 'row-lock,window=1ms': 'window=1ms' is not a strategy; parameters follow a colon: row-lock:window=1ms"],
  ['Row-Lock', "strategy spec 'Row-Lock': 'Row-Lock' is not a strategy name (lowercase letters, digits and '-', starting with a letter)"],
  ['aggregate:', "strategy spec 'aggregate:': 'aggregate:' has a colon but no parameters; write aggregate:key=value or just aggregate"],
  ['aggregate:max', "strategy spec 'aggregate:max': 'max' is not a parameter; write key=value (lowercase key), e.g. window=10ms"],
  ['aggregate:max=1,max=2', "strategy spec 'aggregate:max=1,max=2': parameter 'max' of aggregate is given twice"],
  ['aggregate:window=10ms,aggregate', "strategy spec 'aggregate:window=10ms,aggregate': 'aggregate' is listed twice (labels are canonical: defaults dropped, keys sorted); list it once"],
  ['aggregate:tag=A/B', "strategy spec 'aggregate:tag=A/B': label 'aggregate:tag=A/B' may only contain a-z, 0-9 and :=,.()_- ; change the parameter values"],
];

describe('strategy spec errors', () => {
  for (const [spec, message] of CASES) {
    it(`'${spec}'`, () => {
      let thrown: unknown;
      try {
        resolveStrategies(spec, testRegistry());
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(SpecError);
      expect((thrown as Error).message).toBe(message);
      expect((thrown as Error).message).not.toContain('\n');
    });
  }
});
