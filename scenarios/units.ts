/**
 * The limits that keep a typo in a scenario file from turning into a run
 * that never ends. Durations and rates are read by the one grammar each in
 * units/duration.ts and units/rate.ts (re-exported here for the scenario schema). Time inside hotbench is integer µs;
 * money is integer minor units (cents).
 */

export { DURATION_PATTERN, durationToMicros, MAX_DURATION_US } from '../units/duration.js';

/** Highest rate (ops/s) a scenario or an override may ask for, before burst multipliers: the rate grammar's bound. */
export { MAX_RATE_PER_S as MAX_RATE, RATE_PATTERN, readRate } from '../units/rate.js';
/** Highest burst multiplier. */
export const MAX_MULTIPLIER = 1_000;
/** Most accounts a scenario may define (every one is seeded into each strategy's ledger). */
export const MAX_ACCOUNTS = 1_000_000;
/** Largest single op amount, minor units (10 billion in major units). */
export const MAX_AMOUNT = 1_000_000_000_000;
/** Largest absolute balance or floor, minor units; sums of many stay exact in a double. */
export const MAX_BALANCE = 1_000_000_000_000_000;
