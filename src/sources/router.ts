import type { CheckKind, Factors } from '../core/index.ts';
import { Call } from './call.ts';
import { createDeadlines } from './deadlines.ts';
import { SourceFailure, type Source, type SourceAnswer } from './types.ts';

/**
 * The answer of a route. `source` names the source that answered — and, before it, every upstream source
 * the factors were sent to on the way (`aliyun,submail`): the audit records who saw them. `upstream`
 * marks an answer an upstream vendor gave (the cache keeps those); `charge: false` asks the check path
 * not to bill it (a cache hit, when so configured).
 */
export type RoutedAnswer = ((SourceAnswer & { source: string }) | { unavailable: 'error' | 'unreachable'; source: string }) & {
  upstream?: boolean;
  charge?: false;
};

/** A source in a route, with its policy. */
export interface RouteEntry {
  source: Source;
  /**
   * Whether this source's "no record" hands the check to the next source ('next') or answers it
   * ('answer', the default). A partial registry in front of a vendor says 'next'; a vendor's no record is an answer.
   */
  notFound?: 'answer' | 'next';
  /** This source's time limit (default: the router's): past it the call is aborted. */
  timeoutMs?: number;
  /**
   * A request that was sent and got no answer (time limit, reset) may have been billed: the next source is
   * asked after it only when this is true.
   */
  retryOnTimeout?: boolean;
}

export interface RouterOptions {
  /** Default per-source time limit; a source slower than this is aborted, counts as unreachable, and the next is asked. */
  timeoutMs: number;
}

/** What the check path asks of its sources (the router, or the cache in front of it). */
export interface SourceRouter {
  /** `appid` scopes what a cache in front of the router remembers; the router itself ignores it. */
  check(kind: CheckKind, factors: Factors, checkId?: string, appid?: string): Promise<RoutedAnswer>;
}

/** The route of a kind: fixed, or read from configuration on every check. */
export type Routes = ReadonlyArray<Source | RouteEntry> | ((kind: CheckKind) => readonly RouteEntry[]);

/**
 * Asks the sources that support the kind, in order; a failing source hands over to the next unless its
 * failure says that is unsafe (a billed or possibly billed request). When every source fails, the last
 * failure answers. A "no record" passed on by its source's policy answers only when no later source gave
 * a verdict or failed (a later failure is the more honest answer).
 */
export function createRouter(routes: Routes, options: RouterOptions): SourceRouter & { routeOf(kind: CheckKind): readonly RouteEntry[] } {
  const deadlines = new Map<number, ReturnType<typeof createDeadlines>>();
  const within = (ms: number) => {
    let d = deadlines.get(ms);
    if (!d) deadlines.set(ms, (d = createDeadlines(ms)));
    return d;
  };
  const fixed: RouteEntry[] | undefined = typeof routes === 'function' ? undefined : routes.map((e) => ('source' in e ? e : { source: e }));
  const routeOf = typeof routes === 'function' ? routes : () => fixed!;
  return {
    routeOf,
    async check(kind: CheckKind, factors: Factors, checkId = ''): Promise<RoutedAnswer> {
      let last: RoutedAnswer = { unavailable: 'unreachable', source: 'none' };
      let passed: RoutedAnswer | undefined;
      let via: string[] | undefined;
      const named = (name: string) => (via === undefined ? name : `${via.join(',')},${name}`);
      for (const entry of routeOf(kind)) {
        const { source, notFound } = entry;
        if (!source.supports(kind)) continue;
        const call = new Call(checkId);
        try {
          const answer = await within(entry.timeoutMs ?? options.timeoutMs)(source.check(kind, factors, call), call);
          // Built field by field: a spread of the source's object is a generic clone on every check.
          const routed: RoutedAnswer = { verdict: answer.verdict, source: named(source.name) };
          if (answer.mismatched) routed.mismatched = answer.mismatched;
          if (source.upstream) routed.upstream = true;
          if (answer.verdict === 'not_found' && notFound === 'next') {
            passed = routed;
            if (call.wasSent) (via ??= []).push(source.name);
            continue;
          }
          return routed;
        } catch (error) {
          const failure = error instanceof SourceFailure ? error : undefined;
          last = { unavailable: failure?.failure ?? 'error', source: named(source.name) };
          passed = undefined;
          // A reset or a time limit after the request left (the deadline says so) may have been billed.
          const next = failure?.ambiguous ? entry.retryOnTimeout === true : failure?.next !== false;
          if (call.wasSent) (via ??= []).push(source.name);
          if (!next) return last;
        }
      }
      return passed ?? last;
    },
  };
}
