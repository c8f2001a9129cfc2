import { ConfigError } from './config.ts';

/** The options that name a listener's address: the API's, or another's (the console's). */
export interface ListenOptions {
  host: string;
  port: string;
}

export const API_LISTEN: ListenOptions = { host: '--host', port: '--port' };

/**
 * A listen that failed, said in the listener's own options. A host that resolves to nothing is the
 * listen address's fault, not a store's (the CLI reads a bare ENOTFOUND as an unreachable store); any
 * other system error carries the option names for the CLI's one line (src/cli/errors.ts).
 */
export function listenFailure(error: unknown, at: { host: string; port: number }, options: ListenOptions = API_LISTEN): unknown {
  const e = error as NodeJS.ErrnoException | undefined;
  if (e?.syscall === 'getaddrinfo') {
    return new ConfigError(`cannot listen on ${at.host}:${at.port}: ${e.code === 'ENOTFOUND' ? 'no such address' : `the name cannot be resolved (${e.code})`}; check ${options.host}`);
  }
  // A listener that named itself already (the metrics port's) keeps its own options.
  if (e && typeof e === 'object' && !('listenOptions' in e)) Object.assign(e, { listenOptions: options });
  return error;
}
