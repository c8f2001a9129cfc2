import { createReadStream, mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistryRow } from '../store/types.ts';
import type { Reject } from './rejects.ts';

/**
 * What an atomic import holds between reading a file and writing the store: the rows as keyed hashes
 * (never a plaintext value: the same as the registry itself holds) and the rejects as line, field and
 * reason, in file order, in a private temporary file. The file is read whole first, so a malformed
 * line found anywhere means nothing is imported; memory stays flat however large the file.
 */

const ROW = 1;
const REJECT = 2;
const HASH = 32;
const HAS_CARD = 1;
const HAS_PHONE = 2;
const FLUSH_AT = 1 << 20;

export type Spooled = { row: RegistryRow; line: number } | { reject: Reject };

export interface SpoolWriter {
  row(row: RegistryRow, line: number): void;
  reject(reject: Reject): void;
  /** Ends writing; the records can then be read back, in order, as often as needed. */
  finish(): SpoolReader;
  /** Deletes the file (also after finish). */
  discard(): void;
}

export interface SpoolReader {
  read(): AsyncGenerator<Spooled[]>;
  discard(): void;
}

export function createSpool(keyId: string, normVersion: number): SpoolWriter {
  const dir = mkdtempSync(join(tmpdir(), 'realname-import-'));
  const file = join(dir, 'rows.spool');
  const fd = openSync(file, 'wx', 0o600);
  let open = true;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const push = (chunk: Buffer) => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= FLUSH_AT) flush();
  };
  const flush = () => {
    if (pendingBytes > 0) writeSync(fd, Buffer.concat(pending, pendingBytes));
    pending = [];
    pendingBytes = 0;
  };
  const close = () => {
    if (!open) return;
    open = false;
    closeSync(fd);
  };
  const discard = () => {
    close();
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    row(row, line) {
      const flags = (row.cardHash ? HAS_CARD : 0) | (row.phoneHash ? HAS_PHONE : 0);
      const chunk = Buffer.allocUnsafe(6 + HASH * (2 + (row.cardHash ? 1 : 0) + (row.phoneHash ? 1 : 0)));
      chunk[0] = ROW;
      chunk.writeUInt32LE(line, 1);
      chunk[5] = flags;
      let at = 6;
      for (const hash of [row.idHash, row.nameHash, row.cardHash, row.phoneHash]) {
        if (!hash) continue;
        hash.copy(chunk, at);
        at += HASH;
      }
      push(chunk);
    },
    reject({ line, field, reason }) {
      const f = Buffer.from(field, 'utf8');
      const r = Buffer.from(reason, 'utf8');
      const head = Buffer.allocUnsafe(10);
      head[0] = REJECT;
      head.writeUInt32LE(line, 1);
      head.writeUInt16LE(f.length, 5);
      head.writeUInt16LE(r.length, 7);
      head[9] = 0;
      push(Buffer.concat([head, f, r]));
    },
    finish() {
      flush();
      close();
      return { read: () => readSpool(file, keyId, normVersion), discard };
    },
    discard,
  };
}

async function* readSpool(file: string, keyId: string, normVersion: number): AsyncGenerator<Spooled[]> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: FLUSH_AT })) {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const out: Spooled[] = [];
    let at = 0;
    for (;;) {
      const size = recordSize(data, at);
      if (size === undefined || at + size > data.length) break;
      out.push(decode(data, at, keyId, normVersion));
      at += size;
    }
    carry = data.subarray(at);
    if (out.length > 0) yield out;
  }
  if (carry.length > 0) throw new Error('the import spool ends in the middle of a record');
}

/** The record's size, or undefined when its header is not all there yet. */
function recordSize(data: Buffer, at: number): number | undefined {
  const left = data.length - at;
  if (left < 1) return undefined;
  if (data[at] === ROW) return left < 6 ? undefined : rowSize(data[at + 5]!);
  return left < 10 ? undefined : 10 + data.readUInt16LE(at + 5) + data.readUInt16LE(at + 7);
}

const rowSize = (flags: number) => 6 + HASH * (2 + (flags & HAS_CARD ? 1 : 0) + (flags & HAS_PHONE ? 1 : 0));

function decode(data: Buffer, at: number, keyId: string, normVersion: number): Spooled {
  const line = data.readUInt32LE(at + 1);
  if (data[at] === REJECT) {
    const fieldLength = data.readUInt16LE(at + 5);
    const reasonLength = data.readUInt16LE(at + 7);
    const field = data.toString('utf8', at + 10, at + 10 + fieldLength);
    const reason = data.toString('utf8', at + 10 + fieldLength, at + 10 + fieldLength + reasonLength);
    return { reject: { line, field, reason } };
  }
  const flags = data[at + 5]!;
  let offset = at + 6;
  // Copies: the chunk is reused by the stream, the rows outlive it in a batch.
  const next = () => {
    const hash = Buffer.from(data.subarray(offset, offset + HASH));
    offset += HASH;
    return hash;
  };
  const idHash = next();
  const nameHash = next();
  const cardHash = flags & HAS_CARD ? next() : null;
  const phoneHash = flags & HAS_PHONE ? next() : null;
  return { line, row: { idHash, nameHash, cardHash, phoneHash, keyId, normVersion } };
}
