import { CHECK_KINDS, isCheckKind } from '../../core/index.ts';
import type { Sealer } from '../../keys/ring.ts';
import type { RouteHop, SourceRecord, SourceSettings, SourceStore } from '../../store/types.ts';
import { ADAPTERS, SOURCE_TYPES } from './index.ts';
import { endpointProblem } from './policy.ts';
import { quantileMs, shanghaiDay } from './usage.ts';

/** A problem with what the operator asked (a bad name, endpoint or credentials): said in one line, never quoting a secret. */
export class SourceError extends Error {}

export const DEFAULT_SETTINGS: SourceSettings = {
  timeoutMs: 3000,
  concurrency: 16,
  costFen: 0,
  dailyBudgetFen: null,
  breakerFailures: 5,
  breakerProbeMs: 30_000,
  retryOnTimeout: false,
  insecure: false,
};

/** Names the house uses itself: a source may not take them. */
const RESERVED = new Set(['registry', 'cache', 'validation', 'none', 'all']);
const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

export interface SourceSpec {
  endpoint?: string;
  kinds?: string[] | null;
  settings?: Partial<SourceSettings>;
  /** The vendor's credentials as the operator gave them (one JSON object, from stdin). */
  credentials?: unknown;
}

/** One row of `realname sources`. */
export interface SourceReport {
  name: string;
  type: string;
  endpoint: string;
  kinds: string[];
  /** `over budget`: the next call would pass today's budget, so every node skips the source until the day ends. */
  state: 'ok' | 'open' | 'over budget' | 'disabled';
  callsToday: number;
  errorsToday: number;
  /** Calls the vendor said it billed today. */
  billedToday: number;
  /** Calls that left and got no answer today: the vendor may have billed them; cost today counts them. */
  maybeBilledToday: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  costTodayFen: number;
  costMonthFen: number;
  dailyBudgetFen: number | null;
}

/**
 * The operator's side of upstream sources (the CLI's `sources` and `routes`): checks every value before
 * it is stored, seals the credentials like app secrets (AES-256-GCM under the key ring's current key), and
 * reports what every node counted. Running servers see a change within a second.
 */
export class SourceAdmin {
  constructor(
    private readonly store: SourceStore,
    private readonly sealer: Pick<Sealer, 'seal' | 'open'>,
    private readonly clock: () => number = Date.now,
    /** The calendar day of an instant (the timeZone setting). */
    private readonly dayOf: (ms: number) => string = shanghaiDay,
  ) {}

  async add(name: string, type: string, spec: SourceSpec & { endpoint: string; credentials: unknown }): Promise<SourceRecord> {
    if (!NAME.test(name) || RESERVED.has(name)) throw new SourceError(`a source name is 1-40 lowercase letters, digits or '-', and not ${[...RESERVED].join(', ')}: ${name}`);
    const adapter = ADAPTERS[type];
    if (!adapter) throw new SourceError(`type must be one of ${SOURCE_TYPES.join(', ')}`);
    if (await this.store.get(name)) throw new SourceError(`a source named ${name} exists (change it with \`sources set\`)`);
    const settings = checkSettings({ ...DEFAULT_SETTINGS, ...spec.settings });
    const now = this.clock();
    const record: SourceRecord = {
      name,
      type,
      endpoint: checkEndpoint(spec.endpoint, settings.insecure),
      kinds: checkKinds(type, spec.kinds ?? null),
      settings,
      credentialsSealed: this.sealer.seal(checkCredentials(type, spec.credentials)),
      disabled: false,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.create(record);
    return record;
  }

  async set(name: string, spec: SourceSpec): Promise<SourceRecord> {
    const current = await this.require(name);
    const settings = checkSettings({ ...current.settings, ...spec.settings });
    const endpoint = checkEndpoint(spec.endpoint ?? current.endpoint, settings.insecure);
    const patch = {
      endpoint,
      settings,
      updatedAt: this.clock(),
      ...(spec.kinds !== undefined ? { kinds: checkKinds(current.type, spec.kinds) } : {}),
      ...(spec.credentials !== undefined ? { credentialsSealed: this.sealer.seal(checkCredentials(current.type, spec.credentials)) } : {}),
    };
    return (await this.store.update(name, patch))!;
  }

  /** The kill switch, or its release: every node stops (or starts) asking the source within a second. */
  async switch(name: string, disabled: boolean): Promise<SourceRecord> {
    await this.require(name);
    return (await this.store.update(name, { disabled, updatedAt: this.clock() }))!;
  }

  /**
   * Removes the source and takes it out of every route. Returns the routes that changed and that the
   * operator should look at: one left with no source (its checks are answered unavailable), or with the
   * registry alone where the default route would ask a vendor too.
   */
  async remove(name: string): Promise<{ kind: string; route: RouteHop[]; defaultRoute: RouteHop[] }[]> {
    await this.require(name);
    const changed: [string, RouteHop[]][] = [];
    for (const [kind, hops] of Object.entries(await this.store.routes())) {
      if (!hops.some((h) => h.source === name)) continue;
      const left = hops.filter((h) => h.source !== name);
      await this.store.setRoute(kind, left);
      changed.push([kind, left]);
    }
    await this.store.remove(name);
    const records = await this.store.list();
    return changed.flatMap(([kind, route]) => {
      const defaultRoute = defaultRouteOf(kind, records);
      const registryAlone = route.length === 1 && route[0]!.source === 'registry' && defaultRoute.length > 1;
      return route.length === 0 || registryAlone ? [{ kind, route, defaultRoute }] : [];
    });
  }

  /** The route a kind takes without a configured one (as every node computes it from the same records). */
  async defaultRoute(kind: string): Promise<RouteHop[]> {
    return defaultRouteOf(kind, await this.store.list());
  }

  async require(name: string): Promise<SourceRecord> {
    const record = await this.store.get(name);
    if (!record) throw new SourceError(`no source ${name}`);
    return record;
  }

  list(): Promise<SourceRecord[]> {
    return this.store.list();
  }

  /** Which credential fields are stored (their names; the values stay sealed). */
  credentialFields(record: SourceRecord): string[] {
    return Object.keys(JSON.parse(this.sealer.open(record.credentialsSealed)) as object).sort();
  }

  /**
   * A kind's route from `registry,aliyun:next,submail`: sources in order, each optionally `:next` (its
   * no-record passes the check on) or `:answer`. Default: the registry passes on when anything follows it;
   * a vendor's no-record is an answer.
   */
  async setRoute(kind: string, list: string): Promise<RouteHop[]> {
    if (!isCheckKind(kind)) throw new SourceError(`kind must be one of ${CHECK_KINDS.join(', ')}`);
    const items = list.split(',').map((s) => s.trim()).filter(Boolean);
    if (items.length === 0) throw new SourceError('a route names at least one source');
    const known = new Map((await this.store.list()).map((r) => [r.name, r]));
    const hops: RouteHop[] = [];
    items.forEach((item, i) => {
      const [source, policy, extra] = item.split(':');
      if (extra !== undefined || (policy !== undefined && policy !== 'next' && policy !== 'answer')) {
        throw new SourceError(`route item ${item}: write NAME, NAME:next or NAME:answer`);
      }
      if (source !== 'registry') {
        const record = known.get(source!);
        if (!record) throw new SourceError(`no source ${source} (add it with \`sources add\` first)`);
        if (!checkKinds(record.type, record.kinds).includes(kind)) throw new SourceError(`source ${source} does not answer ${kind}`);
      }
      if (hops.some((h) => h.source === source)) throw new SourceError(`route names ${source} twice`);
      const last = i === items.length - 1;
      hops.push({ source: source!, notFound: (policy as RouteHop['notFound'] | undefined) ?? (source === 'registry' && !last ? 'next' : 'answer') });
    });
    await this.store.setRoute(kind, hops);
    return hops;
  }

  async clearRoute(kind: string): Promise<void> {
    if (!isCheckKind(kind)) throw new SourceError(`kind must be one of ${CHECK_KINDS.join(', ')}`);
    await this.store.setRoute(kind, null);
  }

  routes(): Promise<Record<string, RouteHop[]>> {
    return this.store.routes();
  }

  /** Per source: its state, today's calls, errors and (possibly) billed calls, p50/p99 latency, cost today and this month (every node). */
  async report(): Promise<SourceReport[]> {
    const now = this.clock();
    const today = this.dayOf(now);
    const rows = await this.store.usage(`${today.slice(0, 7)}-01`, today);
    return (await this.store.list()).map((r) => {
      const mine = rows.filter((u) => u.source === r.name);
      const day = mine.find((u) => u.day === today);
      const costTodayFen = day?.costFen ?? 0;
      const { dailyBudgetFen, costFen } = r.settings;
      const spent = dailyBudgetFen !== null && costTodayFen + costFen > dailyBudgetFen;
      const state = r.disabled ? 'disabled' : day && day.openUntil > now ? 'open' : spent ? 'over budget' : 'ok';
      return {
        name: r.name,
        type: r.type,
        endpoint: r.endpoint,
        kinds: checkKinds(r.type, r.kinds),
        state,
        callsToday: day?.calls ?? 0,
        errorsToday: day?.errors ?? 0,
        billedToday: day?.billed ?? 0,
        maybeBilledToday: day?.maybeBilled ?? 0,
        p50Ms: day && quantileMs(day.latency, 0.5),
        p99Ms: day && quantileMs(day.latency, 0.99),
        costTodayFen,
        costMonthFen: mine.reduce((s, u) => s + u.costFen, 0),
        dailyBudgetFen,
      };
    });
  }
}

/** The registry, then every enabled source that answers the kind in the order they were added (src/sources/upstream/configured.ts). */
function defaultRouteOf(kind: string, records: SourceRecord[]): RouteHop[] {
  const vendors = records.filter((r) => !r.disabled && ADAPTERS[r.type] !== undefined && checkKinds(r.type, r.kinds).includes(kind));
  if (vendors.length === 0) return [{ source: 'registry', notFound: 'answer' }];
  return [{ source: 'registry', notFound: 'next' }, ...vendors.map((r): RouteHop => ({ source: r.name, notFound: 'answer' }))];
}

function checkEndpoint(endpoint: string, insecure: boolean): string {
  const problem = endpointProblem(endpoint, insecure);
  if (problem) throw new SourceError(problem);
  return endpoint;
}

/** The kinds asked of a source: those given (each one its adapter answers and the house knows), or all of them. */
function checkKinds(type: string, kinds: string[] | null): string[] {
  const answerable: string[] = ADAPTERS[type]!.kinds.filter((k) => isCheckKind(k));
  if (kinds === null) return answerable;
  for (const k of kinds) if (!answerable.includes(k)) throw new SourceError(`a ${type} source answers ${answerable.join(', ')}, not ${k}`);
  return kinds;
}

function checkSettings(s: SourceSettings): SourceSettings {
  const whole = (v: number, min: number, what: string) => {
    if (!Number.isSafeInteger(v) || v < min) throw new SourceError(`${what} must be a whole number >= ${min}`);
  };
  whole(s.timeoutMs, 1, '--timeout-ms');
  whole(s.concurrency, 1, '--concurrency');
  whole(s.costFen, 0, '--cost-fen');
  if (s.dailyBudgetFen !== null) whole(s.dailyBudgetFen, 0, '--daily-budget-fen');
  whole(s.breakerFailures, 1, '--breaker-failures');
  whole(s.breakerProbeMs, 1, '--breaker-probe-ms');
  return s;
}

/** The credentials JSON: exactly the adapter's fields, non-empty strings; the error names fields, never values. */
function checkCredentials(type: string, given: unknown): string {
  const { required, optional = [] } = ADAPTERS[type]!.credentials;
  const expected = `{${required.map((f) => `"${f}"`).join(',')}}${optional.length ? ` (optional ${optional.join(', ')})` : ''}`;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new SourceError(`credentials must be one JSON object on stdin: ${expected}`);
  const fields = given as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!required.includes(key) && !optional.includes(key)) throw new SourceError(`credentials field ${key} is not one of ${[...required, ...optional].join(', ')}`);
  }
  for (const key of [...required, ...optional.filter((k) => k in fields)]) {
    const v = fields[key];
    if (typeof v !== 'string' || v.trim() === '') throw new SourceError(`credentials field ${key} must be a non-empty string: ${expected}`);
  }
  return JSON.stringify(Object.fromEntries(Object.keys(fields).sort().map((k) => [k, fields[k]])));
}
