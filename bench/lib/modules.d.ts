// The few parts of the benchmark-only packages we call; none ships its own types.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';
  namespace autocannon {
    interface Result {
      requests: { total: number; average: number };
      duration: number;
      non2xx: number;
      errors: number;
      timeouts: number;
    }
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      overallRate?: number;
      requests?: Array<{ method?: string; path?: string; headers?: Record<string, string>; body?: string }>;
    }
  }
  function autocannon(options: autocannon.Options, done: (error: Error | null, result: autocannon.Result) => void): EventEmitter;
  export default autocannon;
}
