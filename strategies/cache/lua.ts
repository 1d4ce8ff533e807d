/**
 * The Lua scripts `cache` runs in Redis. Each runs atomically: no other
 * command interleaves, so the check, the deduction and the pending entry
 * cannot disagree (seed 002 方案5: "like pre-deducting stock for a flash sale").
 *
 * Keys: KEYS[1] balances (hash account → minor units), KEYS[2] floors (hash
 * account → minor units), KEYS[3] pending deltas (list, oldest first).
 */

/** Result code of {@link APPLY_LUA}: the op was applied. */
export const APPLIED = 1;
/** Result code of {@link APPLY_LUA}: the debit would take the balance below its floor, nothing changed. */
export const INSUFFICIENT = 0;
/** The account is not in the cache (Redis lost it): reload from the ledger and retry. */
export const MISSING = -1;

/**
 * ARGV[1] account, ARGV[2] signed delta, ARGV[3] the pending entry, ARGV[4]
 * the counterparty account under double entry ('-1': none), whose cached
 * balance takes the opposite change in the same step (the flush posts its leg).
 * Returns {code, balance}: APPLIED with the balance after; INSUFFICIENT with
 * the balance unchanged (a debit that would cross the floor); MISSING with 0.
 * Credits never fail.
 */
export const APPLY_LUA = `
local b = redis.call('HGET', KEYS[1], ARGV[1])
local f = redis.call('HGET', KEYS[2], ARGV[1])
if (not b) or (not f) then return {${MISSING}, 0} end
local d = tonumber(ARGV[2])
if d < 0 and tonumber(b) + d < tonumber(f) then return {${INSUFFICIENT}, tonumber(b)} end
local nb = redis.call('HINCRBY', KEYS[1], ARGV[1], d)
if ARGV[4] ~= '-1' then redis.call('HINCRBY', KEYS[1], ARGV[4], -d) end
redis.call('RPUSH', KEYS[3], ARGV[3])
return {${APPLIED}, nb}
`;

/**
 * ARGV = account, balance, floor triplets. Sets each account's floor and
 * balance only where the field is absent (HSETNX), so a reload after a
 * partial loss never overwrites a live balance. Returns how many balances it set.
 */
export const LOAD_LUA = `
local n = 0
for i = 1, #ARGV, 3 do
  redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 2])
  n = n + redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
end
return n
`;
