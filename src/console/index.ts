import type { Tenants } from '../access/tenants.ts';
import { factorHasher } from '../audit/lookup.ts';
import type { ResultCache } from '../sources/cache.ts';
import type { StoreKeys } from '../keys/ring.ts';
import type { Logger } from '../log.ts';
import { SourceAdmin } from '../sources/upstream/admin.ts';
import type { Store } from '../store/types.ts';
import { Operators } from './operators.ts';
import type { ConsoleContext } from './context.ts';
import { buildConsole, type ConsoleOptions } from './server.ts';

export { buildConsole } from './server.ts';
export { Operators } from './operators.ts';

/** The parts of a runtime (src/runtime.ts) the console works with. */
export interface ConsoleRuntime {
  store: Store;
  keys: StoreKeys;
  logger: Logger;
  config: { timeZone: string };
  services: { tenants: Tenants; cache?: ResultCache | undefined };
}

export interface RunningConsole {
  address: string;
  close(): Promise<void>;
}

/** What the console's routes work with, over a runtime: the modules the CLI's commands call. */
export function consoleContext(runtime: ConsoleRuntime, clock: () => number = Date.now): ConsoleContext {
  return {
    store: runtime.store,
    tenants: runtime.services.tenants,
    sources: new SourceAdmin(runtime.store.sources, runtime.keys.sealer, clock),
    keys: runtime.keys,
    operators: new Operators(runtime.store.operators, clock),
    trail: runtime.store.auditTrail,
    hasher: factorHasher(runtime.keys.pepper),
    cache: runtime.services.cache,
    sharedCache: runtime.store.resultCache?.shared === true,
    timeZone: runtime.config.timeZone,
    clock,
  };
}

/** The console on its own port, over the runtime `serve` opened: the same store, tenants and sources. */
export async function startConsole(runtime: ConsoleRuntime, listen: { host: string; port: number }, options: Omit<ConsoleOptions, 'logger'> = {}): Promise<RunningConsole> {
  const app = buildConsole(consoleContext(runtime), { ...options, logger: runtime.logger });
  const address = await app.listen(listen);
  return { address, close: () => app.close() };
}
