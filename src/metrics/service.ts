import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Counters } from '../access/counters/index.ts';
import type { Upstreams } from '../sources/upstream/configured.ts';
import type { AuditRecord, Store } from '../store/types.ts';

/**
 * The service's Prometheus metrics (prom-client), one registry per process. Labels are the house's own
 * small sets — dialect, kind, verdict, refusal, source, appid — never a factor, a secret or a check id.
 * Requests are counted from their audit records, so /metrics and the audit tell one story. Gauges that
 * read the shared store (quota remaining, store health) say `max`/`min` so `--workers` do not add them up.
 */

export interface ServiceMetrics {
  readonly registry: Registry;
  /** One answered request, from its audit record. */
  answered(record: AuditRecord): void;
  /** One audit batch committed. */
  committed(records: number, ms: number): void;
  /** The upstream sources and counters of the assembled house, read at each scrape. */
  watch(parts: { upstreams?: Upstreams | undefined; counters?: Counters | undefined }): void;
}

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createServiceMetrics(store: Pick<Store, 'apps' | 'leases' | 'audit' | 'ping' | 'node'>): ServiceMetrics {
  const registry = new Registry();
  const registers = [registry];
  let upstreams: Upstreams | undefined;
  let counters: Counters | undefined;

  const requests = new Counter({
    name: 'realname_requests_total',
    help: 'Requests answered, by dialect, check kind, verdict and refusal reason (empty when none)',
    labelNames: ['dialect', 'kind', 'verdict', 'refusal'] as const,
    registers,
  });
  const billed = new Counter({ name: 'realname_billed_total', help: 'Answers charged to an app\'s quota, by dialect and kind', labelNames: ['dialect', 'kind'] as const, registers });
  const latency = new Histogram({ name: 'realname_request_duration_seconds', help: 'Time from a request\'s arrival to its answer, by dialect', labelNames: ['dialect'] as const, buckets: SECONDS, registers });
  const bySource = new Histogram({
    name: 'realname_source_answer_duration_seconds',
    help: 'Time to an answer, by the source that gave it (registry, an upstream vendor, cache, validation)',
    labelNames: ['source'] as const,
    buckets: SECONDS,
    registers,
  });
  const batchSize = new Histogram({ name: 'realname_audit_batch_records', help: 'Records per audit commit', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512], registers });
  const commitTime = new Histogram({ name: 'realname_audit_commit_duration_seconds', help: 'Time one audit batch took to commit', buckets: SECONDS, registers });

  new Gauge({
    name: 'realname_audit_buffered_records',
    help: 'Audit records taken in and not yet stored',
    registers,
    collect() {
      this.set(store.audit.health().buffered);
    },
  });
  new Counter({
    name: 'realname_audit_dropped_total',
    help: 'Audit records dropped because the buffer was full (checks answer unavailable long before)',
    registers,
    collect() {
      this.reset();
      this.inc(store.audit.health().dropped);
    },
  });
  new Gauge({
    name: 'realname_audit_accepting',
    help: '1 while the audit takes records (checks may be answered), 0 while its store fails or its buffer is nearly full',
    aggregator: 'min',
    registers,
    collect() {
      this.set(store.audit.accepting() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'realname_store_up',
    help: '1 when the store answers',
    aggregator: 'min',
    registers,
    async collect() {
      this.set(await store.ping().then(() => 1, () => 0));
    },
  });
  new Gauge({
    name: 'realname_quota_remaining',
    help: 'An app\'s balance of billed checks not yet spent (apps with a quota only)',
    labelNames: ['appid'] as const,
    aggregator: 'max',
    registers,
    async collect() {
      this.reset();
      for (const app of await store.apps.list().catch(() => [])) if (app.quota !== null) this.set({ appid: app.appid }, app.quota);
    },
  });
  new Gauge({
    name: 'realname_quota_lease_units',
    help: 'Quota units this node holds by lease, per app',
    labelNames: ['appid'] as const,
    registers,
    async collect() {
      this.reset();
      const now = Date.now();
      for (const app of await store.apps.list().catch(() => [])) {
        if (app.quota === null) continue;
        const lease = await store.leases.quotaState(app.appid, store.node, now).catch(() => undefined);
        if (lease) this.set({ appid: app.appid }, lease.held);
      }
    },
  });
  new Counter({
    name: 'realname_counter_store_calls_total',
    help: 'Store calls the quota and QPS counters made (writes: takes, gives, renewals; reads: polls)',
    labelNames: ['op'] as const,
    registers,
    collect() {
      this.reset();
      const stats = counters?.stats();
      if (!stats) return;
      this.inc({ op: 'write' }, stats.writes);
      this.inc({ op: 'read' }, stats.reads);
    },
  });

  // Upstream figures: what this process's ledger counted since it started, per source.
  const figure = (name: string, help: string, pick: (f: { calls: number; errors: number; billed: number; costFen: number }) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['source'] as const,
      registers,
      collect() {
        this.reset();
        for (const [source, f] of upstreams?.ledger.figures() ?? []) this.inc({ source }, pick(f));
      },
    });
  figure('realname_upstream_calls_total', 'Calls to each upstream source', (f) => f.calls);
  figure('realname_upstream_errors_total', 'Calls to each upstream source that gave no verdict', (f) => f.errors);
  figure('realname_upstream_billed_total', 'Calls each upstream vendor billed', (f) => f.billed);
  figure('realname_upstream_cost_fen_total', 'What the billed upstream calls cost, in fen (0.01 CNY)', (f) => f.costFen);
  new Gauge({
    name: 'realname_upstream_breaker_open',
    help: '1 while this node\'s breaker for the source is open or half-open, 0 when closed (disabled sources are absent)',
    labelNames: ['source'] as const,
    aggregator: 'max',
    registers,
    collect() {
      this.reset();
      for (const view of upstreams?.views() ?? []) if (view.breaker !== 'disabled') this.set({ source: view.record.name }, view.breaker === 'ok' ? 0 : 1);
    },
  });

  // Each label set's child made once: an answer then costs a map lookup and an increment, not a label hash.
  const children = new Map<string, { request: Counter.Internal; billed: Counter.Internal; latency: Histogram.Internal<'dialect'> }>();
  const sources = new Map<string, Histogram.Internal<'source'>>();
  return {
    registry,
    answered(r) {
      const kind = r.kind ?? '';
      const id = `${r.dialect}\u0000${kind}\u0000${r.verdict ?? ''}\u0000${r.refusal ?? ''}`;
      let child = children.get(id);
      if (!child) {
        child = { request: requests.labels(r.dialect, kind, r.verdict ?? '', r.refusal ?? ''), billed: billed.labels(r.dialect, kind), latency: latency.labels(r.dialect) };
        children.set(id, child);
      }
      child.request.inc();
      if (r.billed) child.billed.inc();
      const seconds = r.latencyMs / 1000;
      child.latency.observe(seconds);
      if (r.source !== null) {
        let source = sources.get(r.source);
        if (!source) sources.set(r.source, (source = bySource.labels(r.source)));
        source.observe(seconds);
      }
    },
    committed(records, ms) {
      batchSize.observe(records);
      commitTime.observe(ms / 1000);
    },
    watch(parts) {
      upstreams = parts.upstreams;
      counters = parts.counters;
    },
  };
}
