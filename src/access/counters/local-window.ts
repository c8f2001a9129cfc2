import { WINDOW_MS } from '../../store/window.ts';

/** An arrival older than the newest admission by more than this counts as this much older, no more. */
export const MAX_LATE_MS = 500;

/**
 * An exact sliding window in one process's memory, over the instants requests arrived (their own
 * time, as the audit records it): no interval of 1000 ms holds more admissions than the limit.
 * Admissions are counted per instant in a deque (one bucket per distinct instant, so O(1) per check
 * however high the limit). An arrival older than the newest admission — it waited a little longer on
 * its way — is admitted only if every window containing its instant has room.
 */
export class LocalWindow {
  private ats: number[] = [];
  private ns: number[] = [];
  /** Buckets before `head` are forgotten: no window a later arrival can hold reaches them. */
  private head = 0;
  /** Buckets from `head` to `edge` (exclusive) are at or before the newest window's start; `beforeEdge` admissions. */
  private edge = 0;
  private beforeEdge = 0;
  /** Admissions from `head` on. */
  private total = 0;

  /** Admissions and refusals since the counters were last read, for demand estimates. */
  admitted = 0;
  refused = 0;

  /** Admits one arrival at instant `at` under `limit`; returns whether it was admitted. */
  admit(limit: number, at: number): boolean {
    const last = this.ats.length - 1;
    const newest = last >= this.head ? this.ats[last]! : -Infinity;
    const instant = Math.max(at, newest - MAX_LATE_MS);
    const ok = (instant >= newest ? this.inWindowEnding(instant) : this.worstWindowHolding(instant)) < limit;
    if (!ok) {
      this.refused++;
      return false;
    }
    this.insert(instant);
    this.admitted++;
    return true;
  }

  /** Admissions in (t - 1000, t] for t at or after the newest admission (the usual case, O(1) amortised). */
  private inWindowEnding(t: number): number {
    while (this.edge < this.ats.length && this.ats[this.edge]! <= t - WINDOW_MS) this.beforeEdge += this.ns[this.edge++]!;
    // What can no longer be held by any window of a later (or at most MAX_LATE_MS earlier) arrival.
    while (this.head < this.edge && this.ats[this.head]! <= t - WINDOW_MS - MAX_LATE_MS) {
      this.beforeEdge -= this.ns[this.head]!;
      this.total -= this.ns[this.head++]!;
    }
    if (this.head > 4096 && this.head * 2 > this.ats.length) this.compact();
    return this.total - this.beforeEdge;
  }

  /**
   * The most admissions any window [s, s + 1000) holding `t` (t - 1000 < s <= t) holds. A window's count
   * changes only where a bucket enters or leaves it, so the candidates are the windows starting at each
   * bucket in (t - 1000, t], and the one starting at `t` itself; two pointers sweep them in one pass.
   */
  private worstWindowHolding(t: number): number {
    const last = this.ats.length - 1;
    let k = this.head;
    while (k <= last && this.ats[k]! <= t - WINDOW_MS) k++;
    let end = k;
    let inWindow = 0;
    let worst = 0;
    for (; k <= last && this.ats[k]! <= t; k++) {
      while (end <= last && this.ats[end]! < this.ats[k]! + WINDOW_MS) inWindow += this.ns[end++]!;
      worst = Math.max(worst, inWindow);
      inWindow -= this.ns[k]!;
    }
    while (end <= last && this.ats[end]! < t + WINDOW_MS) inWindow += this.ns[end++]!;
    return Math.max(worst, inWindow);
  }

  private insert(t: number): void {
    this.total++;
    let k = this.ats.length - 1;
    if (k >= this.head && this.ats[k] === t) {
      this.ns[k]!++;
      return;
    }
    if (k < this.head || this.ats[k]! < t) {
      this.ats.push(t);
      this.ns.push(1);
      return;
    }
    while (k >= this.head && this.ats[k]! > t) k--;
    if (k >= this.head && this.ats[k] === t) this.ns[k]!++;
    else {
      // A late arrival is at most MAX_LATE_MS older than the newest: always after the edge.
      this.ats.splice(k + 1, 0, t);
      this.ns.splice(k + 1, 0, 1);
    }
  }

  private compact(): void {
    this.ats = this.ats.slice(this.head);
    this.ns = this.ns.slice(this.head);
    this.edge -= this.head;
    this.head = 0;
  }
}
