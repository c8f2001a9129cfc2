/**
 * Exact sliding window shared by every backend: `times` holds the last (at most `limit`) admission
 * times, oldest first, and is updated in place. A request is admitted when fewer than `limit`
 * admissions fall in (t - 1000, t], i.e. when the oldest of the last `limit` is at or before t - 1000.
 *
 * Clocks of several processes may disagree by a few ms, so an arrival stamped earlier than the
 * newest admission is treated as arriving at that newest time: the recorded times stay ordered and
 * "never more than `limit` in any 1000 ms" holds for them (erring on the side of refusing).
 */
export const WINDOW_MS = 1000;

export function admit(times: number[], limit: number, nowMs: number): boolean {
  if (limit <= 0) return false;
  const last = times[times.length - 1];
  const t = last !== undefined && last > nowMs ? last : nowMs;
  // Oldest of the last `limit` admissions. A refusal changes nothing, so history recorded under a
  // larger limit survives a temporary smaller one.
  const oldestOfLimit = times[times.length - limit];
  if (oldestOfLimit !== undefined && oldestOfLimit > t - WINDOW_MS) return false;
  times.push(t);
  // Everything before the newest `limit` is now at or before t - 1000: no later window can see it.
  if (times.length > limit) times.splice(0, times.length - limit);
  return true;
}

/** The newest admission, or -Infinity: a key whose newest admission left the window can be forgotten. */
export function newest(times: number[]): number {
  return times[times.length - 1] ?? -Infinity;
}
