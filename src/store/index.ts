import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { openMemoryStore } from './memory.ts';
import { openPostgresStore, type PostgresStoreOptions } from './postgres.ts';
import { schemaExists } from './postgres/db.ts';
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

/** The store is missing, or is not in the state a command needs: the user's to fix, in one line. */
export class StoreStateError extends Error {}

/** Whether the store already exists, without creating anything (opening a store creates it). */
export async function storeExists(spec: StoreSpec): Promise<boolean> {
  switch (spec.kind) {
    case 'memory':
      return false;
    case 'sqlite':
      return existsSync(spec.file);
    case 'postgres':
      return schemaExists(spec.url, spec.schema);
  }
}

/** Where the store is, for a person: the data dir, or the PostgreSQL server and database (never a password). */
export function describeStore(spec: StoreSpec): string {
  switch (spec.kind) {
    case 'memory':
      return 'memory';
    case 'sqlite':
      return dirname(spec.file);
    case 'postgres': {
      const url = redactUrl(spec.url);
      return spec.schema ? `${url} (schema ${spec.schema})` : url;
    }
  }
}

/** postgres://user:***@host/db: a URL fit for a message or a log. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

export type { Store } from './types.ts';
