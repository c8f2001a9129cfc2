import type { Redis } from 'ioredis';
import type { CachedAnswer, ResultCacheStore } from '../types.ts';
import { script } from './scripts.ts';

/**
 * The entry and its place in the person's index, in one step. KEYS[1] entry, ARGV = value, ttl ms,
 * person key, member, and optionally a linked index's member (LINK + its hash): the index lives as long
 * as its longest entry.
 */
const SET_ENTRY = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', ARGV[3], ARGV[4])
if ARGV[5] then redis.call('SADD', ARGV[3], ARGV[5]) end
if redis.call('PTTL', ARGV[3]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', ARGV[3], ARGV[2]) end
return 1
`;

/** An index member naming another index (never an entry's `scope:key`: no scope starts with it). */
const LINK = '@';

/**
 * Answers shared by every process on one Redis: keys are `<prefix>cache:e:<scope>:<hmac>` (hex of keyed
 * hashes, never a factor), values the verdict and its source; `cache:p:<hmac>` indexes a person's
 * entries; `cache:l:…` is a key's single-flight claim (SET NX PX), so one process asks the sources.
 */
export function redisResultCache(redis: Redis, prefix: string): ResultCacheStore {
  const entry = (scope: string, key: string) => `${prefix}cache:e:${scope}:${key}`;
  const lock = (scope: string, key: string) => `${prefix}cache:l:${scope}:${key}`;
  const personKey = (person: string) => `${prefix}cache:p:${person}`;
  const setEntry = script(redis, SET_ENTRY);
  const deleteMatching = async (pattern: string): Promise<number> => {
    let n = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) n += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    return n;
  };
  return {
    shared: true,
    async get(scope, key) {
      const value = await redis.get(entry(scope, key));
      return value === null ? undefined : (JSON.parse(value) as CachedAnswer);
    },
    async set(scope, key, answer, ttlMs, person, link) {
      const args = [JSON.stringify(answer), Math.max(1, Math.ceil(ttlMs)), personKey(person), `${scope}:${key}`];
      await setEntry(entry(scope, key), ...(link === undefined ? args : [...args, LINK + link]));
    },
    async claim(scope, key, ttlMs) {
      return (await redis.set(lock(scope, key), '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
    },
    async release(scope, key) {
      await redis.del(lock(scope, key));
    },
    async purge(scope) {
      const n = await deleteMatching(`${prefix}cache:e:${scope ?? '*'}:*`);
      if (scope === undefined) await deleteMatching(`${prefix}cache:p:*`);
      return n;
    },
    async forgetPerson(person) {
      const own = await redis.smembers(personKey(person));
      const linked = own.filter((m) => m.startsWith(LINK)).map((m) => m.slice(LINK.length));
      const members = own.filter((m) => !m.startsWith(LINK));
      for (const index of linked) members.push(...(await redis.smembers(personKey(index))).filter((m) => !m.startsWith(LINK)));
      const n = members.length > 0 ? await redis.del(...members.map((m) => `${prefix}cache:e:${m}`)) : 0;
      await redis.del(personKey(person), ...linked.map(personKey));
      return n;
    },
  };
}
