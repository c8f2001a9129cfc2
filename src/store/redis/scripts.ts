import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { WINDOW_MS } from '../window.ts';

/**
 * The sliding window of ../window.ts, run atomically inside Redis. KEYS[1] is a list of the last
 * (at most `limit`) admission times, oldest first; ARGV = limit, now, idle TTL in ms. Times are kept
 * as the caller's strings, never reformatted by Lua (whose numbers print with 14 digits).
 * The contract suite's property test holds this and window.ts to the same answers.
 */
export const SLIDING_WINDOW = `
local limit = tonumber(ARGV[1])
if limit <= 0 then return 0 end
local now = ARGV[2]
local t = now
local newest = redis.call('LINDEX', KEYS[1], -1)
if newest and tonumber(newest) > tonumber(now) then t = newest end
local len = redis.call('LLEN', KEYS[1])
if len >= limit then
  local oldest = redis.call('LINDEX', KEYS[1], len - limit)
  if tonumber(oldest) > tonumber(t) - ${WINDOW_MS} then return 0 end
end
redis.call('RPUSH', KEYS[1], t)
if len + 1 > limit then redis.call('LTRIM', KEYS[1], -limit, -1) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/**
 * A nonce remembers its expiry on the caller's clock (so an injected clock decides, as in every other
 * backend); Redis's own PX expiry only collects it. ARGV = now, expires at, ttl in ms.
 */
export const CLAIM_NONCE = `
local expires = redis.call('GET', KEYS[1])
if expires and tonumber(expires) > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

/**
 * A node's share of an app's QPS limit (src/store/leases.ts's rateShare, run atomically inside Redis).
 * KEYS = the app's shares (hash node → "share:want:expiresAt"), its released units (list "units:freeAt"),
 * the node's apps (set, for its release); ARGV = node, limit, want, ttl ms, now, appid.
 * Times are whole milliseconds, written with %d (Lua would print them with 14 digits).
 */
export const RATE_SHARE = `
local node, limit, want, ttl, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), math.floor(tonumber(ARGV[5]))
local keep, pending = {}, 0
for _, r in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  local units, freeAt = string.match(r, '^(%d+):(%d+)$')
  if tonumber(freeAt) > now then table.insert(keep, r); pending = pending + tonumber(units) end
end
local all = redis.call('HGETALL', KEYS[1])
local current, held, others, contention = 0, 0, 0, false
for i = 1, #all, 2 do
  local s, w, e = string.match(all[i + 1], '^(%d+):(%d+):(%d+)$')
  s, w, e = tonumber(s), tonumber(w), tonumber(e)
  if all[i] == node then current = s
  elseif e <= now then
    redis.call('HDEL', KEYS[1], all[i])
    if e + ${WINDOW_MS} > now then table.insert(keep, string.format('%d:%d', s, e + ${WINDOW_MS})); pending = pending + s end
  else
    held, others = held + s, others + 1
    if w > s then contention = true end
  end
end
local target = math.max(0, math.min(math.floor(want), limit))
if contention then target = math.min(target, math.floor(limit / (others + 1))) end
local share = math.max(0, math.min(target, limit - held - pending))
if share < current then table.insert(keep, string.format('%d:%d', current - share, now + ${WINDOW_MS})) end
redis.call('DEL', KEYS[2])
if #keep > 0 then redis.call('RPUSH', KEYS[2], unpack(keep)); redis.call('PEXPIRE', KEYS[2], 60000) end
redis.call('HSET', KEYS[1], node, string.format('%d:%d:%d', share, math.max(0, math.floor(want)), now + ttl))
redis.call('PEXPIRE', KEYS[1], 60000)
redis.call('SADD', KEYS[3], ARGV[6])
redis.call('PEXPIRE', KEYS[3], 60000)
return {share, others}
`;

/** A node's shares given up (a clean shutdown): KEYS = the app's shares and released list; ARGV = node, now. */
export const RELEASE_SHARE = `
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
local s = string.match(entry, '^(%d+):')
redis.call('RPUSH', KEYS[2], string.format('%d:%d', tonumber(s), math.floor(tonumber(ARGV[2])) + ${WINDOW_MS}))
redis.call('PEXPIRE', KEYS[2], 60000)
return 1
`;

export type Script = (keys: string | readonly string[], ...args: (string | number)[]) => Promise<unknown>;

/** EVALSHA, falling back to EVAL (which also caches the script) when the server has not seen it yet. */
export function script(redis: Redis, lua: string): Script {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (keys, ...args) => {
    const list = typeof keys === 'string' ? [keys] : keys;
    try {
      return await redis.evalsha(sha, list.length, ...list, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(lua, list.length, ...list, ...args);
    }
  };
}
