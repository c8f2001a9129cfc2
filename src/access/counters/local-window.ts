import { WINDOW_MS } from '../../store/window.ts';

/**
 * An exact sliding window in one process's memory: admissions counted per instant in a ring of at most
 * one bucket per millisecond of the window, so a check costs O(1) however high the limit (an array of
 * admission times would shift a whole second's worth of them on every check at a high limit).
 * An arrival stamped before the newest admission counts as arriving then (clocks may step back).
 */
export class LocalWindow {
  private ats: number[] = [];
  private ns: number[] = [];
  private head = 0;
  private total = 0;

  /** Admissions and refusals in the current second, for demand estimates. */
  admitted = 0;
  refused = 0;

  admit(limit: number, nowMs: number): boolean {
    const last = this.ats.length - 1;
    const t = last >= this.head && this.ats[last]! > nowMs ? this.ats[last]! : nowMs;
    while (this.head < this.ats.length && this.ats[this.head]! <= t - WINDOW_MS) this.total -= this.ns[this.head++]!;
    if (this.head > 1024) this.compact();
    if (this.total >= limit) {
      this.refused++;
      return false;
    }
    if (last >= this.head && this.ats[last] === t) this.ns[last]!++;
    else {
      this.ats.push(t);
      this.ns.push(1);
    }
    this.total++;
    this.admitted++;
    return true;
  }

  /** Admissions inside the window ending now. */
  inWindow(nowMs: number): number {
    while (this.head < this.ats.length && this.ats[this.head]! <= nowMs - WINDOW_MS) this.total -= this.ns[this.head++]!;
    return this.total;
  }

  private compact(): void {
    this.ats = this.ats.slice(this.head);
    this.ns = this.ns.slice(this.head);
    this.head = 0;
  }
}
