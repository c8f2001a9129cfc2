import type { Logger } from '../../log.ts';
import type { SourceStore, UsageDelta, UsageRow } from '../../store/types.ts';

/** Latency buckets, ms (upper bounds); a call slower than the last falls in one more bucket. */
export const LATENCY_BOUNDS_MS = [1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000, 1500, 2000, 3000, 5000, 7000, 10_000, 15_000, 20_000, 30_000];

export function bucketOf(ms: number): number {
  const i = LATENCY_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return i < 0 ? LATENCY_BOUNDS_MS.length : i;
}

/** The upper bound of the bucket holding the q-quantile (Infinity past the last bound); undefined with no calls. */
export function quantileMs(latency: Readonly<Record<number, number>>, q: number): number | undefined {
  const buckets = Object.entries(latency).map(([b, n]) => [Number(b), n] as const).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return undefined;
  let seen = 0;
  for (const [bucket, n] of buckets) {
    seen += n;
    if (seen >= q * total) return LATENCY_BOUNDS_MS[bucket] ?? Infinity;
  }
  return Infinity;
}

/** The calendar day in China (UTC+8, no daylight saving): budgets and "today" follow it. */
export function shanghaiDay(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** One upstream call as the ledger counts it. */
export interface CallRecord {
  ms: number;
  ok: boolean;
  billed: boolean;
  /** Sent and unanswered (a time limit, a reset): the vendor may have billed it, so it is counted at its cost. */
  maybeBilled: boolean;
  costFen: number;
  /** The vendor's code (or what happened instead: `HTTP 502`, `garbage`, `timeout` …). */
  code: string;
}

/** What this process saw of a source since it started: the figures a metrics endpoint reads. */
export interface SourceFigures {
  calls: number;
  errors: number;
  billed: number;
  maybeBilled: number;
  /** What the billed and the possibly billed calls cost. */
  costFen: number;
  latency: Record<number, number>;
  /** Calls by the vendor's code. */
  codes: Record<string, number>;
}

/** How long a node's "my breaker is open" lasts unless it says it again (it does every flush). */
const OPEN_HOLD_MS = 3000;

const emptyDelta = (source: string, day: string): UsageDelta => ({ source, day, calls: 0, errors: 0, billed: 0, maybeBilled: 0, costFen: 0, latency: {}, openUntil: 0 });

function add(into: Omit<SourceFigures, 'codes'>, call: CallRecord): void {
  into.calls++;
  if (!call.ok) into.errors++;
  if (call.billed) into.billed++;
  if (call.maybeBilled) into.maybeBilled++;
  into.costFen += call.costFen;
  const b = bucketOf(call.ms);
  into.latency[b] = (into.latency[b] ?? 0) + 1;
}

/**
 * Every upstream call's source, latency, outcome and cost: counted in memory at once (so a daily budget
 * holds on this node between flushes), written to the store once a second summed per source and day
 * (every node adds to the same rows), and read back with the other nodes' spending.
 */
export class UsageLedger {
  private pending = new Map<string, UsageDelta>();
  private flushing: UsageDelta[] = [];
  private today: Map<string, UsageRow> = new Map();
  private readonly totals = new Map<string, SourceFigures>();
  private readonly open = new Map<string, () => boolean>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: SourceStore,
    private readonly clock: () => number,
    private readonly logger: Logger,
    /** The calendar day of an instant (the timeZone setting; default Asia/Shanghai). */
    private readonly dayOf: (ms: number) => string = shanghaiDay,
  ) {}

  record(source: string, call: CallRecord): void {
    const day = this.dayOf(this.clock());
    const key = `${source}\n${day}`;
    let delta = this.pending.get(key);
    if (!delta) this.pending.set(key, (delta = emptyDelta(source, day)));
    add(delta, call);
    let total = this.totals.get(source);
    if (!total) this.totals.set(source, (total = { calls: 0, errors: 0, billed: 0, maybeBilled: 0, costFen: 0, latency: {}, codes: {} }));
    add(total, call);
    total.codes[call.code] = (total.codes[call.code] ?? 0) + 1;
    this.schedule();
  }

  /** Registers how to ask whether the source's breaker is open (said to the store on every flush). */
  watchBreaker(source: string, isOpen: () => boolean): void {
    this.open.set(source, isOpen);
  }

  /** Today in Asia/Shanghai: the day budgets count. */
  day(): string {
    return shanghaiDay(this.clock());
  }

  /** Billed and possibly billed today (Asia/Shanghai) by every node as last read, plus what this node has not written yet. */
  spentToday(source: string): number {
    const day = this.dayOf(this.clock());
    const stored = this.today.get(source);
    let spent = stored?.day === day ? stored.costFen : 0;
    for (const d of [...this.flushing, ...this.pending.values()]) if (d.source === source && d.day === day) spent += d.costFen;
    return spent;
  }

  figures(): ReadonlyMap<string, SourceFigures> {
    return this.totals;
  }

  /** Writes what is counted (and which breakers are open), then reads today's totals of every node. */
  flush(): Promise<void> {
    return (this.running ??= this.write().finally(() => (this.running = undefined)));
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((error: unknown) => this.logger.warn({ error: (error as Error).message }, 'sources: writing usage failed, retrying'));
      if (this.pending.size > 0 || [...this.open.values()].some((isOpen) => isOpen())) this.schedule();
    }, 1000).unref();
  }

  private async write(): Promise<void> {
    const now = this.clock();
    const day = this.dayOf(now);
    // Nothing to say (a CLI command, an idle node): the store is not even asked.
    if (this.pending.size === 0 && ![...this.open.values()].some((isOpen) => isOpen()) && this.today.size === 0 && this.totals.size === 0) return;
    for (const [source, isOpen] of this.open) {
      if (!isOpen()) continue;
      const key = `${source}\n${day}`;
      let delta = this.pending.get(key);
      if (!delta) this.pending.set(key, (delta = emptyDelta(source, day)));
      delta.openUntil = now + OPEN_HOLD_MS;
    }
    this.flushing = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.store.addUsage(this.flushing);
    } catch (error) {
      // Nothing is lost: the deltas go back to be written with the next flush.
      for (const d of this.flushing) this.merge(d);
      this.flushing = [];
      this.schedule();
      throw error;
    }
    try {
      const rows = await this.store.usage(day, day);
      this.today = new Map(rows.map((r) => [r.source, r]));
    } finally {
      this.flushing = [];
    }
  }

  private merge(d: UsageDelta): void {
    const key = `${d.source}\n${d.day}`;
    const into = this.pending.get(key);
    if (!into) {
      this.pending.set(key, d);
      return;
    }
    into.calls += d.calls;
    into.errors += d.errors;
    into.billed += d.billed;
    into.maybeBilled += d.maybeBilled;
    into.costFen += d.costFen;
    into.openUntil = Math.max(into.openUntil, d.openUntil);
    for (const [b, n] of Object.entries(d.latency)) into.latency[Number(b)] = (into.latency[Number(b)] ?? 0) + n;
  }
}
