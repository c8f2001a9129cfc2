import type { LeaseStore, QuotaLease } from '../../store/types.ts';

export interface QuotaPoolOptions {
  /** How long leased units last unrenewed (a crashed node's come back after it). Default 10 s. */
  ttlMs: number;
  /** How often a pool reads its app's lease state (quota changes, reclaims). Default 250 ms. */
  pollMs: number;
  /** How long a request waits for units given back by other nodes before answering the quota code. Default 1.5 s. */
  starveMs: number;
}

export const QUOTA_POOL_DEFAULTS: QuotaPoolOptions = { ttlMs: 10_000, pollMs: 250, starveMs: 1500 };

/** Units for about this much of an app's demand are leased at a time. */
const LEASE_SECONDS = 1;
/** A pool idle this long gives its units back and stops polling. */
const IDLE_MS = 3000;
const STARVE_POLL_MS = 50;

/** One app's units on this node. */
class Pool {
  /** Units this node may still bill: leased, minus taken, plus given back unbilled. */
  available = 0;
  /** Units taken whose answers are not yet billed in a commit (nor given back): still in the lease row. */
  uncommitted = 0;
  epoch = 0;
  /** The last reclaim request this pool answered. */
  seenReclaim = 0;
  /** Takes in the current second and the last full one: the demand a lease is sized for. */
  takesNow = 0;
  takesLastSecond = 0;
  second = 0;
  lastUsed = 0;
  lastWrite = 0;
  /** The lease as the store last set it lapses here: units are spent only well before (see spendable). */
  leaseUntil = 0;
  refilling: Promise<void> | undefined;
  /** Set once the first lease call answered: the epoch is known. */
  known = false;

  constructor(readonly appid: string) {}

  demand(): number {
    return Math.max(1, Math.ceil(Math.max(this.takesNow, this.takesLastSecond) * LEASE_SECONDS));
  }
}

/**
 * Quota by lease, on one node: a check takes a unit from the app's pool in memory; an empty pool leases
 * more from the store in one write (one call at a time per app), sized to about a second of demand —
 * the store shrinks grants near the end of the balance. A billed unit leaves the node's lease row in the
 * audit commit of its answer, so a crash loses none and bills none twice; unbilled units are given back
 * to the pool. Every `pollMs` each active pool reads its app's state: a quota change (new epoch) voids
 * its units, a reclaim request makes it give back all but one, and its lease is renewed before it lapses.
 */
export class QuotaPools {
  private readonly pools = new Map<string, Pool>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly leases: LeaseStore,
    private readonly node: string,
    private readonly clock: () => number,
    private readonly options: QuotaPoolOptions = QUOTA_POOL_DEFAULTS,
  ) {}

  /** One unit of a limited app's quota: true when taken, false when the quota is spent. */
  take(appid: string): boolean | Promise<boolean> {
    const pool = this.pool(appid);
    this.count(pool);
    if (pool.available > 0 && this.spendable(pool)) {
      pool.available--;
      pool.uncommitted++;
      return true;
    }
    return this.refillAndTake(pool);
  }

  /** Billed answers made durable: their units left this node's lease in that commit. */
  committed(appid: string, units: number): void {
    const pool = this.pools.get(appid);
    if (pool) pool.uncommitted = Math.max(0, pool.uncommitted - units);
  }

  /** A unit taken but not billed (invalid, unavailable, a verdict the dialect does not charge). */
  giveBack(appid: string): void {
    const pool = this.pools.get(appid);
    if (!pool) return;
    pool.available++;
    pool.uncommitted = Math.max(0, pool.uncommitted - 1);
  }

  /** Gives every unit back (a clean shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.pools.values()].map((p) => p.refilling));
    const now = this.clock();
    await Promise.all([...this.pools.values()].map((p) => (p.available > 0 ? this.giveUp(p, p.available, now) : undefined)));
    this.pools.clear();
  }

  private pool(appid: string): Pool {
    let pool = this.pools.get(appid);
    if (!pool) {
      this.pools.set(appid, (pool = new Pool(appid)));
      this.timer ??= setInterval(() => void this.poll(), this.options.pollMs).unref();
    }
    return pool;
  }

  private count(pool: Pool): void {
    const now = this.clock();
    const second = Math.floor(now / 1000);
    if (second !== pool.second) {
      pool.takesLastSecond = second === pool.second + 1 ? pool.takesNow : 0;
      pool.takesNow = 0;
      pool.second = second;
    }
    pool.takesNow++;
    pool.lastUsed = now;
  }

  /**
   * Units are spent only until a third of the lease's life before it lapses: a billed answer's audit
   * commit (which takes its unit out of the lease) then lands long before another node could reclaim it.
   */
  private spendable(pool: Pool): boolean {
    return this.clock() < pool.leaseUntil - this.options.ttlMs / 3;
  }

  private async refillAndTake(pool: Pool): Promise<boolean> {
    const started = this.clock();
    for (;;) {
      if (pool.available > 0 && this.spendable(pool)) {
        pool.available--;
        pool.uncommitted++;
        return true;
      }
      // One lease call at a time per app: concurrent takes wait for it and share what it brings.
      pool.refilling ??= this.refill(pool).finally(() => (pool.refilling = undefined));
      const lease = await pool.refilling.then(() => this.lastLease.get(pool.appid));
      if (pool.available > 0 && this.spendable(pool)) continue;
      if (!lease || lease.balance === null) return lease?.balance === null;
      // Others waiting on the same refill took what it brought: there is more to lease.
      if (lease.balance > 0) continue;
      // Spent here; units held elsewhere by nodes with more than one each may come back when asked.
      if (lease.heldElsewhere <= lease.otherNodes || this.closed || this.clock() - started >= this.options.starveMs) return false;
      await new Promise((resolve) => setTimeout(resolve, STARVE_POLL_MS).unref());
      this.starving.add(pool.appid);
    }
  }

  /** The last answer of the store for each app's lease. */
  private readonly lastLease = new Map<string, QuotaLease | undefined>();
  /** Apps whose next refill asks the other nodes to give units back. */
  private readonly starving = new Set<string>();

  private async refill(pool: Pool): Promise<void> {
    const starving = this.starving.delete(pool.appid);
    await this.write(pool, pool.demand(), 0, this.clock(), starving);
  }

  /**
   * One lease call: take units, give `give` back (already out of `available`: a check taking units
   * meanwhile never sees them), renew the lease, learn the epoch.
   */
  private async write(pool: Pool, take: number, give: number, nowMs: number, starving = false): Promise<void> {
    let lease: QuotaLease | undefined;
    try {
      lease = await this.leases.quota({ appid: pool.appid, node: this.node, take, give, epoch: pool.epoch, ttlMs: this.options.ttlMs, nowMs, starving });
    } catch (error) {
      pool.available += give;
      throw error;
    }
    this.lastLease.set(pool.appid, lease);
    pool.lastWrite = nowMs;
    if (!lease) {
      pool.available = 0;
      return;
    }
    pool.leaseUntil = nowMs + this.options.ttlMs;
    if (pool.known && lease.epoch !== pool.epoch) {
      // A new quota: the old units are void (their rows are gone); this call's grant is all there is.
      pool.available = lease.granted;
    } else if (lease.lapsed) {
      // This very write reclaimed our lapsed lease: only the grant is ours, less the units of answers
      // still on their way to their commit (they leave the new lease when they land).
      pool.available = Math.max(0, lease.granted - pool.uncommitted);
    } else {
      // Moves by delta, never by the store's count: a commit landing meanwhile would make that stale.
      pool.available += lease.granted;
    }
    pool.epoch = lease.epoch;
    pool.known = true;
    if (starving) pool.seenReclaim = Math.max(pool.seenReclaim, lease.reclaimAt);
  }

  /** Takes `give` units out of the pool now and hands them back to the store. */
  private giveUp(pool: Pool, give: number, nowMs: number): Promise<void> {
    pool.available -= give;
    return this.write(pool, 0, give, nowMs);
  }

  private polling = false;

  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const now = this.clock();
      for (const pool of [...this.pools.values()]) {
        if (pool.refilling) continue;
        try {
          await this.tend(pool, now);
        } catch {
          // The store is unreachable: the lease lapses on its own; the next check will fail visibly.
        }
      }
      if (this.pools.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    } finally {
      this.polling = false;
    }
  }

  /** One pool's poll: follow a quota change, answer a reclaim, renew, give back excess, retire when idle. */
  private async tend(pool: Pool, now: number): Promise<void> {
    if (now - pool.lastUsed > IDLE_MS) {
      if (pool.available > 0) await this.giveUp(pool, pool.available, now);
      this.pools.delete(pool.appid);
      this.lastLease.delete(pool.appid);
      return;
    }
    const state = await this.leases.quotaState(pool.appid, this.node, now);
    if (!state || state.balance === null) {
      pool.available = 0;
      return;
    }
    if (pool.known && state.epoch !== pool.epoch) {
      // A new quota: the old units are void (their rows are gone).
      pool.epoch = state.epoch;
      pool.available = 0;
      return;
    }
    let give = 0;
    if (state.reclaimAt > pool.seenReclaim) {
      pool.seenReclaim = state.reclaimAt;
      give = Math.max(0, pool.available - 1);
    } else if (pool.available > 2 * pool.demand()) {
      give = pool.available - pool.demand();
    }
    if (give > 0 || now - pool.lastWrite >= this.options.ttlMs / 2) await this.giveUp(pool, give, now);
  }
}
