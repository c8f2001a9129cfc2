import { KIND_FACTORS, shanghaiToday, type CheckKind, type Factor, type Factors } from '../core/index.ts';
import { prepareHmacSha256 } from '../keys/hmac-sha256.ts';
import type { App, DailyCounter, DailyKey } from '../store/types.ts';

/** A check counted against its identity's limits of a day: what giving it back takes. */
export interface DailyTicket {
  day: number;
  keys: Buffer[];
}

/**
 * The apps' identity daily limits (`apps set --daily-per-id N --daily-per-name N`): how often one ID
 * number, and one name, may be checked per calendar day in Asia/Shanghai. Only dialects whose order
 * has the `daily` step count (Tencent Cloud FaceID's 认证次数超过当日限制).
 */
export interface DailyLimits {
  /** Whether the app limits a factor this kind carries (if not, the step costs nothing). */
  applies(app: App, kind: CheckKind): boolean;
  /** Counts one check of these canonical factors today; undefined, with nothing counted, when a limit is reached. */
  take(app: App, kind: CheckKind, factors: Factors, nowMs: number): Promise<DailyTicket | undefined>;
  release(ticket: DailyTicket): Promise<void>;
}

const LIMITS: ReadonlyArray<[Factor, (app: App) => number | null]> = [
  ['idNumber', (app) => app.dailyPerId],
  ['name', (app) => app.dailyPerName],
];

const shanghaiDayText = (ms: number): string => String(shanghaiToday(new Date(ms))).replace(/^(\d{4})(\d{2})/, '$1-$2-');

/**
 * Counted by keyed hash, never plaintext: HMAC-SHA256 under its own derived key of the app, the day,
 * the factor and its canonical form — so a day's rows cannot be linked to another day's, another
 * app's, or the registry's hashes of the same person.
 */
export function createDailyLimits(counter: DailyCounter, key: Buffer, dayOf: (ms: number) => string = shanghaiDayText): DailyLimits {
  const hmac = prepareHmacSha256(key);
  const limited = (app: App, kind: CheckKind) => LIMITS.filter(([factor, limit]) => limit(app) !== null && KIND_FACTORS[kind].includes(factor));
  return {
    applies: (app, kind) => limited(app, kind).length > 0,
    async take(app, kind, factors, nowMs) {
      // The day as a YYYYMMDD number, in the service's zone (the timeZone setting).
      const day = Number(dayOf(nowMs).replaceAll('-', ''));
      const keys: DailyKey[] = [];
      for (const [factor, limit] of limited(app, kind)) {
        const value = factors[factor];
        if (value !== undefined) keys.push({ key: hmac.digest(`${app.appid}/${day}/${factor}:`, value), limit: limit(app)! });
      }
      if (keys.length === 0) return { day, keys: [] };
      return (await counter.take(day, keys)) ? { day, keys: keys.map((k) => k.key) } : undefined;
    },
    async release(ticket) {
      if (ticket.keys.length > 0) await counter.release(ticket.day, ticket.keys);
    },
  };
}
