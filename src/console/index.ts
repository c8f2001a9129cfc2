import type { Tenants } from '../access/tenants.ts';
import type { StoreKeys } from '../keys/ring.ts';
import type { Logger } from '../log.ts';
import { SourceAdmin } from '../sources/upstream/admin.ts';
import type { Store } from '../store/types.ts';
import { Operators } from './operators.ts';
import { buildConsole, type ConsoleOptions } from './server.ts';

export { buildConsole } from './server.ts';
export { Operators } from './operators.ts';

/** The parts of a runtime (src/runtime.ts) the console works with. */
export interface ConsoleRuntime {
  store: Store;
  keys: StoreKeys;
  logger: Logger;
  services: { tenants: Tenants; cache?: { forgetPerson(idNumber: string): Promise<number> } | undefined };
}

export interface RunningConsole {
  address: string;
  close(): Promise<void>;
}

/** The console on its own port, over the runtime `serve` opened: the same store, tenants and sources. */
export async function startConsole(runtime: ConsoleRuntime, listen: { host: string; port: number }, options: Omit<ConsoleOptions, 'logger'> = {}): Promise<RunningConsole> {
  const clock = Date.now;
  const app = buildConsole(
    {
      store: runtime.store,
      tenants: runtime.services.tenants,
      sources: new SourceAdmin(runtime.store.sources, runtime.keys.sealer, clock),
      keys: runtime.keys,
      operators: new Operators(runtime.store.operators, clock),
      cache: runtime.services.cache,
      clock,
    },
    { ...options, logger: runtime.logger },
  );
  const address = await app.listen(listen);
  return { address, close: () => app.close() };
}
