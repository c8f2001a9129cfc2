import type { CheckKind, Factors } from '../core/factors.ts';
import { createDeadlines } from './deadlines.ts';
import { SourceFailure, type Source, type SourceAnswer } from './types.ts';

export type RoutedAnswer = (SourceAnswer & { source: string }) | { unavailable: 'error' | 'unreachable'; source: string };

export interface RouterOptions {
  /** Per-source time limit; a source slower than this counts as unreachable and the next is asked. */
  timeoutMs: number;
}

/**
 * Asks the sources that support the kind, in order; a failing source hands over to the next.
 * When every source fails, the last failure answers ('unreachable' wins over 'error' only when it came last).
 */
export function createRouter(sources: readonly Source[], options: RouterOptions) {
  const within = createDeadlines(options.timeoutMs);
  return {
    async check(kind: CheckKind, factors: Factors): Promise<RoutedAnswer> {
      let last: RoutedAnswer = { unavailable: 'unreachable', source: 'none' };
      for (const source of sources) {
        if (!source.supports(kind)) continue;
        try {
          const answer = await within(source.check(kind, factors));
          // Built field by field: a spread of the source's object is a generic clone on every check.
          const routed: RoutedAnswer = { verdict: answer.verdict, source: source.name };
          if (answer.mismatched) routed.mismatched = answer.mismatched;
          return routed;
        } catch (error) {
          last = { unavailable: error instanceof SourceFailure ? error.failure : 'error', source: source.name };
        }
      }
      return last;
    },
  };
}

export type SourceRouter = ReturnType<typeof createRouter>;
