import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { loadMasterKey } from '../../src/keys/master.ts';
import { createRegistryHasher } from '../../src/registry/hash.ts';
import { hashRow } from '../../src/registry/import.ts';
import { ROOT } from './proc.ts';

/**
 * The bench's synthetic registry files, made once and cached under .bench-cache/ (git-ignored):
 * a CSV per size (the `registry import` input), the same rows pre-hashed (the import baseline's input),
 * and a data dir per size holding an imported registry the servers run on.
 */
export const CACHE = join(ROOT, '.bench-cache');
export const SEED = 'realname-bench';
/** Bytes per pre-hashed row: id, card, name, phone HMACs. */
export const HASHED_ROW = 128;

export function keyFile(): string {
  mkdirSync(CACHE, { recursive: true });
  const file = join(CACHE, 'master.key');
  loadMasterKey({ keyFile: file, create: true });
  return file;
}

export function masterKey(): Buffer {
  return loadMasterKey({ keyFile: keyFile(), create: false });
}

/** Writes through a temp name so an interrupted run never leaves a truncated cache file. */
function writeAtomically(file: string, fill: (write: (chunk: string | Buffer) => void) => void): void {
  const tmp = `${file}.partial`;
  const fd = openSync(tmp, 'w');
  try {
    fill((chunk) => {
      if (typeof chunk === 'string') writeSync(fd, chunk);
      else writeSync(fd, chunk);
    });
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export function csvFile(rows: number): string {
  const file = join(CACHE, `registry-${rows}.csv`);
  if (existsSync(file)) return file;
  mkdirSync(CACHE, { recursive: true });
  writeAtomically(file, (write) => {
    write('name,idNumber,bankCard,phone\n');
    let chunk = '';
    let n = 0;
    for (const p of generateIdentities(rows, SEED)) {
      chunk += `${p.name},${p.idNumber},${p.bankCard},${p.phone}\n`;
      if (++n % 10_000 === 0) {
        write(chunk);
        chunk = '';
      }
    }
    write(chunk);
  });
  return file;
}

/** The same rows as `registry import` stores them (hashRow of each), 128 bytes a row. */
export function hashedFile(rows: number): string {
  const file = join(CACHE, `registry-${rows}.hashed`);
  if (existsSync(file)) return file;
  const hasher = createRegistryHasher(masterKey());
  const now = new Date();
  writeAtomically(file, (write) => {
    const block = Buffer.alloc(HASHED_ROW * 10_000);
    let at = 0;
    for (const p of generateIdentities(rows, SEED)) {
      const row = hashRow(p, hasher, now);
      if ('reason' in row) throw new Error(`synthetic row rejected: ${row.field} ${row.reason}`);
      row.idHash.copy(block, at);
      row.cardHash!.copy(block, at + 32);
      row.nameHash.copy(block, at + 64);
      row.phoneHash!.copy(block, at + 96);
      at += HASHED_ROW;
      if (at === block.length) {
        write(block);
        at = 0;
      }
    }
    write(block.subarray(0, at));
  });
  return file;
}

export interface Person {
  name: string;
  idNumber: string;
  bankCard: string;
  phone: string;
}

/** `count` people picked at random lines of the CSV (spread over the whole registry), deterministic. */
export function samplePeople(rows: number, count: number, seed = 1): Person[] {
  const text = readFileSync(csvFile(rows));
  const header = text.indexOf(10) + 1;
  let state = seed >>> 0 || 1;
  const people: Person[] = [];
  while (people.length < count) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const at = header + Math.floor((state / 2 ** 32) * (text.length - header));
    const start = at === header ? at : text.indexOf(10, at) + 1;
    if (start <= 0 || start >= text.length) continue;
    const end = text.indexOf(10, start);
    const [name, idNumber, bankCard, phone] = text.toString('utf8', start, end).split(',');
    people.push({ name: name!, idNumber: idNumber!, bankCard: bankCard!, phone: phone! });
  }
  return people;
}

/** Data dir of the cached serving registry of `rows` rows; `ready` once an import completed into it. */
export function servingDir(rows: number): { dir: string; db: string; ready: boolean; markReady(): void } {
  const dir = join(CACHE, `realname-${rows}`);
  const marker = join(dir, 'imported');
  return {
    dir,
    db: join(dir, 'realname.db'),
    ready: existsSync(marker),
    markReady() {
      writeAtomically(marker, (write) => write(`${rows}\n`));
    },
  };
}

export function freshDir(name: string): string {
  const dir = join(CACHE, 'tmp', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}
