import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from './errors.ts';

/**
 * Where an output option (--rejects, --out) points, checked before anything is read, checked or billed:
 * a directory there, or a parent that is not one, would otherwise fail only at the end — after the work.
 */
export function checkOutFile(command: Command, flag: string, file: string, what: string): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(command, `${flag} ${file} is a directory: name a file to write ${what} to`);
  const parent = dirname(file);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) throw new UsageError(command, `${flag} ${file}: there is no directory ${parent}; name a file in a directory that exists`);
}
