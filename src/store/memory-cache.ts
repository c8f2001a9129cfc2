import { LRUCache } from 'lru-cache';
import type { CachedAnswer, ResultCacheStore } from './types.ts';

interface Entry {
  answer: CachedAnswer;
  person: string;
}

/**
 * Answers kept in this process's memory, bounded (least recently used entries go first), each with its
 * own TTL, indexed by person so erasing one finds every entry. Single flight is within the process.
 */
export function memoryResultCache(options: { maxEntries?: number; now?: () => number } = {}): ResultCacheStore {
  const now = options.now ?? Date.now;
  const people = new Map<string, Set<string>>();
  /** person → the card indexes their answers linked (see ResultCacheStore.set), as long as they have an entry. */
  const links = new Map<string, Set<string>>();
  const unindex = (key: string, person: string) => {
    const keys = people.get(person);
    keys?.delete(key);
    // The person's last entry gone (evicted, expired, forgotten): their links go with it.
    if (keys?.size === 0) {
      people.delete(person);
      links.delete(person);
    }
  };
  const entries = new LRUCache<string, Entry>({
    max: options.maxEntries ?? 100_000,
    ttlAutopurge: false,
    // Staleness judged at every read, on the given clock (not a clock cached for a moment).
    ttlResolution: 0,
    perf: { now },
    dispose: (entry, key) => unindex(key, entry.person),
  });
  const claims = new Map<string, number>();
  const full = (scope: string, key: string) => `${scope}:${key}`;
  return {
    shared: false,
    async get(scope, key) {
      const entry = entries.get(full(scope, key));
      return entry && structuredClone(entry.answer);
    },
    async set(scope, key, answer, ttlMs, person, link) {
      const k = full(scope, key);
      entries.set(k, { answer: structuredClone(answer), person }, { ttl: ttlMs });
      let keys = people.get(person);
      if (!keys) people.set(person, (keys = new Set()));
      keys.add(k);
      if (link !== undefined) {
        let linked = links.get(person);
        if (!linked) links.set(person, (linked = new Set()));
        linked.add(link);
      }
    },
    async claim(scope, key, ttlMs) {
      const k = full(scope, key);
      const until = claims.get(k);
      if (until !== undefined && until > now()) return false;
      claims.set(k, now() + ttlMs);
      return true;
    },
    async release(scope, key) {
      claims.delete(full(scope, key));
    },
    async purge(scope) {
      let n = 0;
      for (const k of [...entries.keys()]) {
        if (scope === undefined || k.startsWith(`${scope}:`)) n += entries.delete(k) ? 1 : 0;
      }
      return n;
    },
    async forgetPerson(person) {
      let n = 0;
      for (const index of [person, ...(links.get(person) ?? [])]) {
        for (const k of [...(people.get(index) ?? [])]) n += entries.delete(k) ? 1 : 0;
        people.delete(index);
      }
      links.delete(person);
      return n;
    },
  };
}
