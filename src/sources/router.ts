import type { CheckKind, Factors } from '../core/index.ts';
import { Call } from './call.ts';
import { createDeadlines } from './deadlines.ts';
import { SourceFailure, type Source, type SourceAnswer } from './types.ts';

export type RoutedAnswer = (SourceAnswer & { source: string }) | { unavailable: 'error' | 'unreachable'; source: string };

/** A source in a route, with its policy. */
export interface RouteEntry {
  source: Source;
  /**
   * Whether this source's "no record" hands the check to the next source ('next') or answers it
   * ('answer', the default). A partial registry in front of a vendor says 'next'; a vendor's no record is an answer.
   */
  notFound?: 'answer' | 'next';
}

export interface RouterOptions {
  /** Per-source time limit; a source slower than this is aborted, counts as unreachable, and the next is asked. */
  timeoutMs: number;
}

/**
 * Asks the sources that support the kind, in order; a failing source hands over to the next. When every
 * source fails, the last failure answers. A "no record" passed on by its source's policy answers only
 * when no later source gave a verdict or failed (a later failure is the more honest answer).
 */
export function createRouter(route: ReadonlyArray<Source | RouteEntry>, options: RouterOptions) {
  const within = createDeadlines(options.timeoutMs);
  const entries: RouteEntry[] = route.map((e) => ('source' in e ? e : { source: e }));
  return {
    async check(kind: CheckKind, factors: Factors, checkId = ''): Promise<RoutedAnswer> {
      let last: RoutedAnswer = { unavailable: 'unreachable', source: 'none' };
      let passed: RoutedAnswer | undefined;
      for (const { source, notFound } of entries) {
        if (!source.supports(kind)) continue;
        const call = new Call(checkId);
        try {
          const answer = await within(source.check(kind, factors, call), call);
          // Built field by field: a spread of the source's object is a generic clone on every check.
          const routed: RoutedAnswer = { verdict: answer.verdict, source: source.name };
          if (answer.mismatched) routed.mismatched = answer.mismatched;
          if (answer.verdict === 'not_found' && notFound === 'next') {
            passed = routed;
            continue;
          }
          return routed;
        } catch (error) {
          last = { unavailable: error instanceof SourceFailure ? error.failure : 'error', source: source.name };
          passed = undefined;
        }
      }
      return passed ?? last;
    },
  };
}

export type SourceRouter = ReturnType<typeof createRouter>;
