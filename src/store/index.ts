import { openMemoryStore } from './memory.ts';
import { openPostgresStore, type PostgresStoreOptions } from './postgres.ts';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite.ts';
import type { Store } from './types.ts';

export type StoreSpec =
  | { kind: 'memory' }
  | ({ kind: 'sqlite' } & SqliteStoreOptions)
  | ({ kind: 'postgres' } & PostgresStoreOptions);

/** The one place a backend is chosen; callers only ever see the Store interfaces. */
export function openStore(spec: StoreSpec): Store {
  switch (spec.kind) {
    case 'memory':
      return openMemoryStore();
    case 'sqlite':
      return openSqliteStore(spec);
    case 'postgres':
      return openPostgresStore(spec);
  }
}

export type { Store } from './types.ts';
