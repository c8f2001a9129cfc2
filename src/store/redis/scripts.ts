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

export type Script = (key: string, ...args: (string | number)[]) => Promise<unknown>;

/** EVALSHA, falling back to EVAL (which also caches the script) when the server has not seen it yet. */
export function script(redis: Redis, lua: string): Script {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (key, ...args) => {
    try {
      return await redis.evalsha(sha, 1, key, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(lua, 1, key, ...args);
    }
  };
}
