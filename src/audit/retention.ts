import { addDays, dayOf, startOfDay } from '../core/calendar.ts';
import type { Logger } from '../log.ts';
import type { AuditTrail } from '../store/types.ts';
import type { Operator } from './operator.ts';

/**
 * How long audit records are kept: `retentionDays` calendar days in the service's zone (default 365; the
 * Cybersecurity Law asks at least six months of network logs). Records from before the start of the day
 * that many days ago go, a whole batch at a time, with a purge event in the chain.
 */

export const DEFAULT_RETENTION_DAYS = 365;

/** The start of the oldest day kept: records before it are purged. */
export function retentionCutoff(now: number, days: number, timeZone: string): number {
  return startOfDay(addDays(dayOf(now, timeZone), -days), timeZone);
}

export async function purgeOlderThan(trail: AuditTrail, days: number, now: number, timeZone: string, by: Operator | object) {
  const before = retentionCutoff(now, days, timeZone);
  return { before, ...(await trail.purge(before, by)) };
}

export interface RetentionOptions {
  trail: AuditTrail;
  days: number;
  timeZone: string;
  logger: Logger;
  clock?: () => number;
  /** How often the day is looked at (default hourly); a purge runs once per calendar day. */
  everyMs?: number;
}

/** `serve`'s daily purge: at start, then once each new day. Failures are logged and tried again next time. */
export function startRetention(options: RetentionOptions): { stop(): void } {
  const clock = options.clock ?? Date.now;
  let done: string | undefined;
  let running = false;
  const tick = async () => {
    const today = dayOf(clock(), options.timeZone);
    if (running || done === today) return;
    running = true;
    try {
      const result = await purgeOlderThan(options.trail, options.days, clock(), options.timeZone, { retention: options.days, by: 'serve' });
      done = today;
      if (result.records > 0) options.logger.info({ records: result.records, batches: result.batches, before: new Date(result.before).toISOString() }, 'audit: records past retention purged');
    } catch (error) {
      options.logger.warn({ error: (error as Error).message }, 'audit: the retention purge failed; trying again later');
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), options.everyMs ?? 3_600_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
