import type { Command } from 'commander';
import { API_LISTEN, type ListenOptions } from '../listen-failure.ts';

/** A problem with what the user asked for (a missing file, say): printed as one line, exit status 1. */
export class CliError extends Error {}

/** The command was called wrongly: printed with the command's usage line, exit status 2. */
export class UsageError extends Error {
  constructor(
    readonly command: Command,
    message: string,
  ) {
    super(message);
  }
}

/** `realname apps create`, from the command object. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** `usage: realname apps create --name <name> [options]`: the required parts spelled out, the rest in [options]. */
export function usageLine(command: Command): string {
  const required = command.options.filter((o) => o.mandatory).map((o) => o.flags.replace(/^-\w, /, ''));
  const group = command.commands.length > 0;
  const args = (group ? [] : command.registeredArguments).map((a) => {
    const name = `${a.name()}${a.variadic ? '…' : ''}`;
    return a.required ? `<${name}>` : `[${name}]`;
  });
  const sub = group ? ['<command>'] : [];
  return `usage: ${[commandPath(command), ...sub, ...required, ...args, '[options]'].join(' ')}  (--help for more)`;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN']);

/** The store's server did not answer (pg and ioredis wrap several attempts in an AggregateError). */
export function isUnreachable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && UNREACHABLE.has(code)) return true;
  return error instanceof AggregateError && error.errors.some(isUnreachable);
}

type SystemError = NodeJS.ErrnoException & { address?: string; port?: number; listenOptions?: ListenOptions };

/** What SQLite's own failures mean for the person at the terminal (better-sqlite3's SqliteError codes). */
const SQLITE_FAILURES: Record<string, string> = {
  SQLITE_BUSY: 'the SQLite store is busy: another process held its write lock past the wait; try again once it is done',
  SQLITE_CORRUPT: 'the SQLite store is damaged (database disk image is malformed): restore it from a backup',
  SQLITE_NOTADB: 'the file is not a SQLite store: check --data',
  SQLITE_READONLY: 'the SQLite store is read-only here: check the file and directory permissions',
  SQLITE_FULL: 'the SQLite store cannot grow: the disk is full',
};

/**
 * A Node system error (or SQLite's own failure) the user can act on, as one line: what failed, on what, and what to do.
 * undefined for anything else (a fault of ours).
 */
export function describeSystemError(error: unknown): string | undefined {
  const e = error as SystemError | undefined;
  const sqlite = typeof e?.code === 'string' ? (SQLITE_FAILURES[e.code] ?? SQLITE_FAILURES[e.code.replace(/_[A-Z]+$/, '')]) : undefined;
  if (sqlite) return sqlite;
  // A table the schema always has is gone: dropped by hand, not by any command.
  if (e?.code === 'SQLITE_ERROR' && /^no such table: /.test(String((e as { message?: unknown }).message))) {
    return `the SQLite store was changed by hand: ${(e as Error).message} (restore it from a backup)`;
  }
  if (!e || typeof e.code !== 'string' || typeof e.syscall !== 'string') return undefined;
  // a worker of serve --workers fails in bind (node:cluster binds in the primary on its behalf)
  if (e.syscall === 'listen' || e.syscall === 'bind') {
    const where = `${e.address ?? '?'}:${e.port ?? '?'}`;
    // Which listener: the API's unless its start said otherwise (src/listen-failure.ts).
    const options = e.listenOptions ?? API_LISTEN;
    switch (e.code) {
      case 'EADDRINUSE':
        return `cannot listen on ${where}: the address is already in use; stop the server using it or choose another ${options.port}`;
      case 'EACCES':
        return `cannot listen on ${where}: permission denied (ports below 1024 need privileges); choose a ${options.port} from 1024 up`;
      case 'EADDRNOTAVAIL':
        return `cannot listen on ${where}: this machine has no such address; check ${options.host}`;
      default:
        return `cannot listen on ${where}: ${e.code}`;
    }
  }
  if (e.path === undefined) return undefined;
  const reason: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'it is a directory, not a file',
    ENOTDIR: 'a part of the path is not a directory',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EEXIST: 'it already exists',
  };
  return `cannot ${e.syscall} ${e.path}: ${reason[e.code] ?? e.code}`;
}
