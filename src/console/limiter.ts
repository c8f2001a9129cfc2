/**
 * Failed sign-ins per key (a client address, an operator name) in a sliding window: past `limit`
 * failures the key waits until the oldest failure leaves the window. A success clears the name's count.
 */
export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Milliseconds until the key may try again; 0 when it may now. */
  waitMs(key: string): number {
    const times = this.recent(key);
    return times.length < this.limit ? 0 : times[0]! + this.windowMs - this.clock();
  }

  fail(key: string): void {
    const times = this.recent(key);
    times.push(this.clock());
    this.failures.set(key, times);
    // Bounded memory under a spray of names: the oldest keys go first.
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.clock() - this.windowMs;
    const times = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (times.length === 0) this.failures.delete(key);
    return times;
  }
}
