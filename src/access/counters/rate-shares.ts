import type { LeaseStore } from '../../store/types.ts';
import { LocalWindow } from './local-window.ts';

export interface RateShareOptions {
  /** How long a share lasts unrenewed. Default 2 s. */
  ttlMs: number;
  /** How often an active app's share is renewed (and resized to its demand). Default 500 ms. */
  renewMs: number;
}

export const RATE_SHARE_DEFAULTS: RateShareOptions = { ttlMs: 2000, renewMs: 500 };

/** An app idle this long gives its share up. */
const IDLE_MS = 3000;

/** One app's QPS on this node: its share of the limit and an exact local window over it. */
class Share {
  readonly window = new LocalWindow();
  share = 0;
  /** When the share last grew: an arrival from before counts at that instant (the units were not ours before). */
  grewAt = 0;
  /** The share is void past this instant (a node that cannot renew stops admitting). */
  until = 0;
  limit = 0;
  otherNodes = 0;
  lastUsed = 0;
  lastRenew = 0;
  /** Admissions and refusals of the last full second. */
  lastDemand = 0;
  second = 0;
  renewing: Promise<void> | undefined;

  constructor(readonly appid: string) {}
}

/**
 * QPS by lease, on one node: each app's limit is shared among the nodes serving it (the store decides
 * the shares, src/store/leases.ts), and this node admits with an exact sliding window over its own
 * share. A node alone holds the whole limit, so one process is exact as it always was; across nodes no
 * 1000 ms interval admits more than the limit, and a node that cannot renew its share stops admitting
 * when it lapses.
 */
export class RateShares {
  private readonly shares = new Map<string, Share>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly leases: LeaseStore,
    private readonly node: string,
    private readonly clock: () => number,
    private readonly options: RateShareOptions = RATE_SHARE_DEFAULTS,
  ) {}

  /** Admits one request of an app limited to `limit` per second. */
  admit(appid: string, limit: number, nowMs: number): boolean | Promise<boolean> {
    let s = this.shares.get(appid);
    if (!s) {
      this.shares.set(appid, (s = new Share(appid)));
      this.timer ??= setInterval(() => void this.tend(), this.options.renewMs).unref();
    }
    s.lastUsed = nowMs;
    this.countDemand(s, nowMs);
    // A changed limit or a share not yet known (or lapsed): renew before deciding.
    if (s.limit !== limit || nowMs >= s.until) {
      s.limit = limit;
      return (s.renewing ??= this.renew(s, this.clock()).finally(() => (s.renewing = undefined))).then(
        () => this.decide(s, nowMs),
        () => s.window.admit(0, nowMs),
      );
    }
    return this.decide(s, nowMs);
  }

  private decide(s: Share, at: number): boolean {
    if (at >= s.until) return s.window.admit(0, at);
    return s.window.admit(s.share, at < s.grewAt ? s.grewAt : at);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.shares.clear();
  }

  private countDemand(s: Share, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (second === s.second) return;
    s.lastDemand = second === s.second + 1 ? s.window.admitted + s.window.refused : 0;
    s.window.admitted = 0;
    s.window.refused = 0;
    s.second = second;
  }

  /**
   * What this node asks for: the whole limit when alone, else about its demand with headroom — and one
   * unit once no request came since the last renewal, so a node the load has left gives its share up
   * at once rather than a second later (the last full second's demand would still ask for it all).
   */
  private want(s: Share, nowMs: number): number {
    if (s.otherNodes === 0) return s.limit;
    if (nowMs - s.lastUsed > this.options.renewMs) return 1;
    const demand = Math.max(s.lastDemand, s.window.admitted + s.window.refused);
    return Math.min(s.limit, Math.ceil(demand * 1.25) + 1);
  }

  private async renew(s: Share, nowMs: number): Promise<void> {
    const result = await this.leases.rate({ appid: s.appid, node: this.node, limit: s.limit, want: this.want(s, nowMs), ttlMs: this.options.ttlMs, nowMs });
    if (result.share > s.share) s.grewAt = nowMs;
    s.share = result.share;
    s.otherNodes = result.otherNodes;
    s.until = nowMs + this.options.ttlMs;
    s.lastRenew = nowMs;
  }

  private tending = false;

  private async tend(): Promise<void> {
    if (this.tending || this.closed) return;
    this.tending = true;
    try {
      const now = this.clock();
      for (const s of [...this.shares.values()]) {
        if (s.renewing) continue;
        if (now - s.lastUsed > IDLE_MS) {
          // Idle: give the share up (it is free for others a second later) and forget the app.
          this.shares.delete(s.appid);
          await this.leases.rate({ appid: s.appid, node: this.node, limit: s.limit, want: 0, ttlMs: this.options.ttlMs, nowMs: now }).catch(() => undefined);
          continue;
        }
        this.countDemand(s, now);
        s.renewing = this.renew(s, now)
          .catch(() => undefined)
          .finally(() => (s.renewing = undefined));
        await s.renewing;
      }
      if (this.shares.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    } finally {
      this.tending = false;
    }
  }
}
