import { setTimeout as sleep } from 'node:timers/promises';
import type { CheckKind, Factor, Factors } from '../core/index.ts';
import { prepareHmacSha256 } from '../keys/hmac-sha256.ts';
import type { CachedAnswer, ResultCacheStore, SourceStore } from '../store/types.ts';
import type { RouteEntry, RoutedAnswer, SourceRouter } from './router.ts';

export interface CacheSettings {
  /** How long each verdict is remembered, ms; 0 = never. Unavailable and invalid are never remembered. */
  ttlMs: Readonly<Record<CachedAnswer['verdict'], number>>;
  /** 'app': an answer is reused only for the app it was bought for; 'shared': for every app. */
  scope: 'app' | 'shared';
  /** Whether a hit is charged to the app's quota like a fresh answer (default: yes, it is worth the same). */
  chargeHits: boolean;
}

export const DEFAULT_CACHE: CacheSettings = {
  ttlMs: { match: 30 * 86_400_000, mismatch: 86_400_000, not_found: 3_600_000 },
  scope: 'app',
  chargeHits: true,
};

/** A purge scope naming a person (by the keyed hash the entries are indexed by) rather than an app. */
const PERSON = 'person:';

/** How often a check waits for another process's answer to the same question. */
const POLL_MS = 20;

export type Routed = SourceRouter & {
  routeOf(kind: CheckKind): readonly RouteEntry[];
  /** A promise while the routes are being read again (they are stale); undefined when they are current. */
  prepare?(): Promise<void> | undefined;
};

/**
 * The result cache, between validation and the router: answers bought from upstream vendors are
 * remembered under an HMAC of (kind, canonical factors) with its own derived key, per app by default,
 * for a TTL per verdict, and indexed by the ID number's keyed hash so erasing a person finds them. A kind
 * whose route asks no upstream source goes straight to the router (the registry is free and always current).
 *
 * Identical checks in flight at once make one upstream call: within the process they share one promise;
 * across processes (a shared store) one claims the key and the others wait for its answer. A hit is
 * answered with source `cache` and costs no upstream call.
 */
export function createResultCache(
  router: Routed,
  store: ResultCacheStore,
  key: Buffer,
  settings: CacheSettings = DEFAULT_CACHE,
  /** Where purges are noted for every node (a cache in one process's memory learns of them there, within a second). */
  purges?: Pick<SourceStore, 'notePurge' | 'purges'>,
  /** Told when the cache's store fails: the check goes on without the cache (it only saves money). */
  onError: (error: unknown) => void = () => undefined,
  /** Told how many entries a purge noted by another process removed from this one (an app, '*', or 'person'). */
  onPurged: (scope: string, removed: number) => void = () => undefined,
) {
  const hmac = prepareHmacSha256(key);
  const orElse = async <T>(work: Promise<T>, fallback: T): Promise<T> => {
    try {
      return await work;
    } catch (error) {
      onError(error);
      return fallback;
    }
  };
  // Purges noted before this process started concern entries it never had.
  let seen: Record<string, number> | undefined;
  let purgesReadAt = Number.NEGATIVE_INFINITY;
  const followPurges = async () => {
    if (!purges || store.shared || performance.now() - purgesReadAt < 1000) return;
    purgesReadAt = performance.now();
    const now = await purges.purges();
    if (seen) {
      for (const [scope, at] of Object.entries(now)) {
        if (at <= (seen[scope] ?? 0)) continue;
        const person = scope.startsWith(PERSON) ? scope.slice(PERSON.length) : undefined;
        const removed = person !== undefined ? await store.forgetPerson(person) : await store.purge(scope === '*' ? undefined : scope);
        onPurged(person !== undefined ? 'person' : scope, removed);
      }
    }
    seen = now;
  };
  const inflight = new Map<string, Promise<RoutedAnswer>>();
  const keyOf = (kind: CheckKind, f: Factors) => hmac.digest(`answer\0${kind}\0`, `${f.name ?? ''}\0${f.idNumber ?? ''}\0${f.bankCard ?? ''}\0${f.phone ?? ''}`).toString('hex');
  const cardOf = (card: string) => hmac.digest('card\0', card).toString('hex');
  const personOf = (f: Factors) => (f.idNumber !== undefined ? hmac.digest('person\0', f.idNumber).toString('hex') : cardOf(f.bankCard ?? ''));
  // A match of a person and their card links the card's index: erasing the person then reaches the
  // name + card answers about that card, which carry no ID number.
  const linkOf = (f: Factors) => (f.idNumber !== undefined && f.bankCard !== undefined ? cardOf(f.bankCard) : undefined);
  const hit = (cached: CachedAnswer): RoutedAnswer => {
    const answer: RoutedAnswer = { verdict: cached.verdict, source: 'cache' };
    if (cached.mismatched) answer.mismatched = cached.mismatched as Factor[];
    if (!settings.chargeHits) answer.charge = false;
    return answer;
  };
  const usesUpstream = (kind: CheckKind) => router.routeOf(kind).some((e) => e.source.upstream === true);
  // A claim outlives every source of the route answering at its time limit, so a crashed holder frees it.
  const claimTtl = (kind: CheckKind) => router.routeOf(kind).reduce((ms, e) => ms + (e.timeoutMs ?? 3000), 1000);

  const ask = async (kind: CheckKind, factors: Factors, checkId: string, scope: string, k: string): Promise<RoutedAnswer> => {
    const deadline = performance.now() + claimTtl(kind);
    for (;;) {
      if (performance.now() > deadline || (await orElse(store.claim(scope, k, claimTtl(kind)), true))) {
        try {
          // Another process may have answered between the first look and the claim.
          const late = await orElse(store.get(scope, k), undefined);
          if (late) return hit(late);
          const answer = await router.check(kind, factors, checkId);
          if ('verdict' in answer && answer.upstream) {
            const ttl = settings.ttlMs[answer.verdict];
            const cached: CachedAnswer = { verdict: answer.verdict, source: answer.source };
            if (answer.mismatched) cached.mismatched = answer.mismatched;
            // Only a match says the card is the person's.
            const link = answer.verdict === 'match' ? linkOf(factors) : undefined;
            if (ttl > 0) await orElse(store.set(scope, k, cached, ttl, personOf(factors), link), undefined);
          }
          return answer;
        } finally {
          await orElse(store.release(scope, k), undefined);
        }
      }
      await sleep(POLL_MS);
      const answered = await orElse(store.get(scope, k), undefined);
      if (answered) return hit(answered);
    }
  };

  return {
    async check(kind: CheckKind, factors: Factors, checkId = '', appid?: string): Promise<RoutedAnswer> {
      // Whether the cache is asked at all depends on the route, so the route must be current.
      const reading = router.prepare?.();
      if (reading) await reading;
      if (!usesUpstream(kind)) return router.check(kind, factors, checkId);
      await orElse(followPurges(), undefined);
      const scope = settings.scope === 'shared' || appid === undefined ? 'shared' : appid;
      const k = keyOf(kind, factors);
      const cached = await orElse(store.get(scope, k), undefined);
      if (cached) return hit(cached);
      const local = `${scope}:${k}`;
      const pending = inflight.get(local);
      if (pending) {
        // The same question is being asked right now: its answer, as the cache would give it.
        const answer = await pending;
        return 'verdict' in answer && answer.upstream ? hit({ verdict: answer.verdict, source: answer.source, ...(answer.mismatched ? { mismatched: answer.mismatched } : {}) }) : answer;
      }
      const asked = ask(kind, factors, checkId, scope, k);
      inflight.set(local, asked);
      try {
        return await asked;
      } finally {
        inflight.delete(local);
      }
    },
    routeOf: router.routeOf,
    /**
     * Forgets every answer about the person with this (canonical) ID number — and about their (canonical)
     * bank cards given, and those their cached answers linked — here and, within a second, on every node.
     */
    async forgetPerson(idNumber: string, bankCards: readonly string[] = [], at = Date.now()): Promise<number> {
      let n = 0;
      for (const index of [personOf({ idNumber }), ...bankCards.map(cardOf)]) {
        await purges?.notePurge(PERSON + index, at);
        n += await store.forgetPerson(index);
      }
      return n;
    },
    /** Forgets the answers bought for one app (or all), here and — within a second — on every node. */
    async purge(appid?: string, at = Date.now()): Promise<number> {
      await purges?.notePurge(appid ?? '*', at);
      return store.purge(appid);
    },
  };
}

export type ResultCache = ReturnType<typeof createResultCache>;
