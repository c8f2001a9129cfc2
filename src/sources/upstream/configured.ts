import type { CheckKind } from '../../core/index.ts';
import type { Logger } from '../../log.ts';
import type { RouteHop, SourceRecord, SourceStore } from '../../store/types.ts';
import type { RouteEntry } from '../router.ts';
import type { Source } from '../types.ts';
import { guardSource, type GuardedSource } from './guard.ts';
import { openEndpoint, type VendorEndpoint } from './http.ts';
import { ADAPTERS } from './index.ts';
import { endpointProblem } from './policy.ts';
import { UsageLedger } from './usage.ts';

export interface UpstreamsOptions {
  store: SourceStore;
  /** The calendar day of an instant, in the service's zone: budgets and the ledger count by it. */
  dayOf?: (ms: number) => string;
  /** The local registry, asked where a route names `registry` (and first in the default route). */
  registry: Source;
  /** Unseals a source's credentials (the same sealing as app secrets). */
  openCredentials(sealed: string): Record<string, string>;
  clock: () => number;
  logger: Logger;
  /** How long the configuration read from the store is used before it is read again (default 1000 ms). */
  ttlMs?: number;
}

interface Built {
  /** What the adapter, its pool and its breaker were made from: a change rebuilds them. */
  fingerprint: string;
  record: SourceRecord;
  endpoint: VendorEndpoint;
  source: GuardedSource;
}

/** A source as `realname sources` and the metrics see it on this node. */
export interface SourceView {
  record: SourceRecord;
  breaker: 'ok' | 'open' | 'half-open' | 'disabled';
}

const fingerprintOf = (r: SourceRecord) =>
  JSON.stringify([r.type, r.endpoint, r.credentialsSealed, r.kinds, r.settings.concurrency, r.settings.breakerFailures, r.settings.breakerProbeMs, r.settings.insecure]);

/**
 * The upstream sources and routes as the store says, read again at most every `ttlMs` (so `sources
 * disable` reaches every node within a second). Adapters are built once per configuration — their
 * keep-alive pools and breakers survive a reload — and rebuilt only when what they were made from
 * changes; a removed source's pool is closed. Routes: a kind's configured route, or by default the
 * registry followed by every enabled source that answers the kind, in the order they were added.
 */
export function createUpstreams(options: UpstreamsOptions) {
  const { store, registry, clock, logger } = options;
  const ttlMs = options.ttlMs ?? 1000;
  const ledger = new UsageLedger(store, clock, logger, options.dayOf);
  const built = new Map<string, Built>();
  let routes = new Map<string, RouteEntry[]>();
  let order: Built[] = [];
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;
  const registryOnly: RouteEntry[] = [{ source: registry }];

  const build = (record: SourceRecord): Built | undefined => {
    const adapter = ADAPTERS[record.type];
    const problem = adapter ? endpointProblem(record.endpoint, record.settings.insecure) : `unknown type ${record.type}`;
    if (problem) {
      logger.error({ source: record.name, problem }, 'sources: source not used');
      return undefined;
    }
    const kinds = new Set(adapter!.kinds.filter((k) => record.kinds === null || record.kinds.includes(k)));
    const endpoint = openEndpoint(record.endpoint, record.settings.concurrency);
    let ask;
    try {
      ask = adapter!.create({ name: record.name, endpoint, credentials: options.openCredentials(record.credentialsSealed), clock });
    } catch (error) {
      void endpoint.close();
      logger.error({ source: record.name, error: (error as Error).name }, 'sources: credentials could not be opened; source not used');
      return undefined;
    }
    // The guard reads the settings of the record the latest reload left here: cost, budget and time limit apply at once.
    const holder = { record };
    const source = guardSource(record.name, kinds, ask, () => holder.record.settings, { ledger, logger });
    return {
      fingerprint: fingerprintOf(record),
      endpoint,
      source,
      get record() {
        return holder.record;
      },
      set record(next) {
        holder.record = next;
      },
    };
  };

  const entryOf = (b: Built, notFound: RouteHop['notFound']): RouteEntry => ({
    source: b.source,
    notFound,
    timeoutMs: b.record.settings.timeoutMs,
    retryOnTimeout: b.record.settings.retryOnTimeout,
  });

  const apply = (records: SourceRecord[], configured: Record<string, RouteHop[]>) => {
    const seen = new Set<string>();
    for (const record of records) {
      seen.add(record.name);
      const current = built.get(record.name);
      if (current && current.fingerprint === fingerprintOf(record)) {
        current.record = record;
        continue;
      }
      if (current) void current.endpoint.close();
      const fresh = build(record);
      if (fresh) built.set(record.name, fresh);
      else built.delete(record.name);
    }
    for (const [name, b] of built) {
      if (seen.has(name)) continue;
      void b.endpoint.close();
      built.delete(name);
    }
    order = records.flatMap((r) => {
      const b = built.get(r.name);
      return b && !r.disabled ? [b] : [];
    });
    const next = new Map<string, RouteEntry[]>();
    for (const [kind, hops] of Object.entries(configured)) {
      next.set(
        kind,
        hops.flatMap((hop): RouteEntry[] => {
          if (hop.source === 'registry') return [{ source: registry, notFound: hop.notFound }];
          const b = built.get(hop.source);
          return b && !b.record.disabled ? [entryOf(b, hop.notFound)] : [];
        }),
      );
    }
    routes = next;
  };

  const reload = (): Promise<void> =>
    (reading ??= (async () => {
      try {
        const [records, configured] = await Promise.all([store.list(), store.routes()]);
        apply(records, configured);
      } catch (error) {
        // The last configuration keeps serving; the store is asked again after the TTL.
        logger.warn({ error: (error as Error).message }, 'sources: reading the configuration failed');
      } finally {
        readAt = performance.now();
        reading = undefined;
      }
    })());

  return {
    ledger,
    /** True while the configuration read last is younger than the TTL. */
    fresh: () => performance.now() - readAt < ttlMs,
    reload,
    /** The route of a kind, from the configuration read last. */
    routeOf(kind: CheckKind): readonly RouteEntry[] {
      const configured = routes.get(kind);
      if (configured) return configured;
      const vendors = order.filter((b) => b.source.supports(kind));
      if (vendors.length === 0) return registryOnly;
      return [{ source: registry, notFound: 'next' }, ...vendors.map((b) => entryOf(b, 'answer'))];
    },
    /** Every configured source with this node's view of it. */
    views(): SourceView[] {
      return [...built.values()].map((b) => ({ record: b.record, breaker: b.record.disabled ? 'disabled' : b.source.breaker() }));
    },
    async close(): Promise<void> {
      await ledger.close().catch((error: unknown) => logger.warn({ error: (error as Error).message }, 'sources: writing usage on close failed'));
      await Promise.all([...built.values()].map((b) => b.endpoint.close()));
      built.clear();
    },
  };
}

export type Upstreams = ReturnType<typeof createUpstreams>;
