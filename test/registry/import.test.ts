import { mkdtempSync, rmSync, createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { canonicalIdNumber } from '../../src/core/id-number.ts';
import { canonicalPhone } from '../../src/core/phone.ts';
import { createRegistryHasher } from '../../src/registry/hash.ts';
import { DEFAULT_BATCH_SIZE, detectFormat, importRegistry, NAME_CONFLICT, RegistryFileError, type ImportOptions } from '../../src/registry/import.ts';
import { removePerson } from '../../src/registry/remove.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { RegistryStore, Store } from '../../src/store/types.ts';

const NOW = new Date('2025-06-01T00:00:00Z');
const hasher = createRegistryHasher(Buffer.alloc(32, 7));

interface Person {
  name: string;
  idNumber: string;
  bankCard: string;
  phone: string;
}
const people: Person[] = [...generateIdentities(12, 42)].map((p) => ({ name: p.name, idNumber: p.idNumber, bankCard: p.bankCard, phone: p.phone }));
const person = (i: number): Person => people[i] as Person;

/** The same ID number with a wrong check digit. */
function badChecksum(id: string): string {
  const last = id.slice(-1);
  return id.slice(0, -1) + (last === '0' ? '1' : '0');
}

function csv(header: (keyof Person)[], rows: Partial<Person>[]): string {
  return [header.join(','), ...rows.map((r) => header.map((h) => r[h] ?? '').join(','))].join('\n') + '\n';
}

function jsonl(rows: unknown[]): string {
  return rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
}

/** A writable that keeps what it is given, as text. */
function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return Object.assign(w, { text: () => chunks.join('') });
}

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'realname-import-'));
  store = openSqliteStore({ file: join(dir, 'realname.db') });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(text: string, format: 'csv' | 'jsonl', extra: Partial<ImportOptions> = {}) {
  return importRegistry({ input: Readable.from([text]), format, store: store.registry, hasher, now: NOW, ...extra });
}

async function known(p: Person): Promise<boolean> {
  const rows = await store.registry.lookup(hasher.idNumber(canonicalIdNumber(p.idNumber)));
  return rows.length > 0;
}

describe('importRegistry', () => {
  it('imports a CSV whose header lists the columns in any order, bank card and phone optional', async () => {
    const rows = [person(0), person(1), { name: person(2).name, idNumber: person(2).idNumber }, { ...person(3), phone: '' }];
    const summary = await run(csv(['phone', 'idNumber', 'bankCard', 'name'], rows), 'csv');
    expect(summary).toEqual({ read: 4, imported: 4, duplicates: 0, rejected: 0, firstRejects: [] });
    expect(await store.registry.count()).toBe(4);
    const [row] = await store.registry.lookup(hasher.idNumber(canonicalIdNumber(person(2).idNumber)));
    expect(row?.cardHash).toBeNull();
    expect(row?.phoneHash).toBeNull();
    expect(row?.nameHash.equals(hasher.name(person(2).name))).toBe(true);
  });

  it('imports JSONL with the same keys', async () => {
    const summary = await run(jsonl([person(0), { name: person(1).name, idNumber: person(1).idNumber, bankCard: null }]), 'jsonl');
    expect(summary).toMatchObject({ read: 2, imported: 2, rejected: 0 });
    expect(await known(person(0))).toBe(true);
    expect(await known(person(1))).toBe(true);
  });

  it('stores keyed hashes only, with the key id and normalisation version', async () => {
    await run(csv(['name', 'idNumber', 'bankCard', 'phone'], [person(0)]), 'csv');
    const [row] = await store.registry.lookup(hasher.idNumber(canonicalIdNumber(person(0).idNumber)));
    expect(row?.keyId).toBe(hasher.keyId);
    expect(row?.normVersion).toBeGreaterThan(0);
    const file = readFileSync(join(dir, 'realname.db'));
    for (const value of Object.values(person(0))) expect(file.includes(Buffer.from(value))).toBe(false);
  });

  it('rejects invalid CSV rows with the file line number, field and reason, never the value', async () => {
    const text = [
      'name,idNumber,bankCard',
      `${person(0).name},${person(0).idNumber},${person(0).bankCard}`, // line 2: fine
      `${person(1).name},${badChecksum(person(1).idNumber)},`, // line 3: checksum
      '', // line 4: blank, skipped
      `,${person(2).idNumber},`, // line 5: empty name
      `${person(3).name},${person(3).idNumber}`, // line 6: a column short
      `${person(4).name},${person(4).idNumber},62220X0000000000`, // line 7: bank card with a letter
      `${person(5).name},${person(5).idNumber},`, // line 8: fine
    ].join('\n');
    const rejects = sink();
    const summary = await run(text, 'csv', { rejects });
    expect(summary.read).toBe(6);
    expect(summary.imported).toBe(2);
    expect(summary.rejected).toBe(4);
    expect(summary.firstRejects.map((r) => [r.line, r.field])).toEqual([
      [3, 'idNumber'],
      [5, 'name'],
      [6, ''],
      [7, 'bankCard'],
    ]);
    const lines = rejects.text().trimEnd().split('\n');
    expect(lines[0]).toBe('line,field,reason');
    expect(lines[1]).toBe('3,idNumber,checksum');
    expect(lines[4]).toBe('7,bankCard,charset');
    for (const p of people) {
      expect(rejects.text()).not.toContain(p.idNumber.slice(0, 10));
      expect(rejects.text()).not.toContain(p.name);
    }
  });

  it('rejects broken and ill-typed JSONL lines and carries on', async () => {
    const text = jsonl([
      person(0),
      '{"name": "broken',
      { name: person(1).name, idNumber: Number(person(1).idNumber.slice(0, 15)) },
      '',
      '[1,2]',
      { ...person(2), extra: 'x' },
      person(3),
    ]);
    const summary = await run(text, 'jsonl');
    expect(summary).toMatchObject({ read: 6, imported: 2, rejected: 4 });
    expect(summary.firstRejects).toEqual([
      { line: 2, field: '', reason: 'broken JSON' },
      { line: 3, field: 'idNumber', reason: 'not a string' },
      { line: 5, field: '', reason: 'not a JSON object' },
      { line: 6, field: 'extra', reason: 'unknown key' },
    ]);
  });

  it('stops with a clear error on an unknown or missing column', async () => {
    await expect(run('name,idNumber,email\n', 'csv')).rejects.toThrow(/unknown column "email"/);
    await expect(run('name,bankCard\n', 'csv')).rejects.toMatchObject({ code: 'MISSING_COLUMN', message: /idNumber/ });
    await expect(run('', 'csv')).rejects.toBeInstanceOf(RegistryFileError);
  });

  it('never echoes the values of a headerless file, whose first row would read as the header', async () => {
    const error = (await run('张三,11010519491231002X,6222020200001234567\n', 'csv').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(RegistryFileError);
    expect(error.message).toMatch(/is the header missing\?/);
    for (const value of ['张三', '11010519491231002X', '6222020200001234567']) expect(error.message).not.toContain(value);
  });

  it('is idempotent: importing the same file twice adds nothing the second time', async () => {
    const text = csv(['name', 'idNumber', 'bankCard', 'phone'], people.slice(0, 8));
    expect(await run(text, 'csv')).toMatchObject({ read: 8, imported: 8, duplicates: 0 });
    expect(await run(text, 'csv', { batchSize: 3 })).toMatchObject({ read: 8, imported: 0, duplicates: 8, rejected: 0 });
    expect(await store.registry.count()).toBe(8);
  });

  it('keeps one row per (person, bank card): a second card adds a row, the same card is a duplicate', async () => {
    const p = person(0);
    const other = person(1).bankCard;
    const text = csv(['name', 'idNumber', 'bankCard'], [p, { ...p, bankCard: other }, p]);
    expect(await run(text, 'csv')).toMatchObject({ imported: 2, duplicates: 1 });
  });

  it('rejects a known ID number arriving with a different name', async () => {
    await run(csv(['name', 'idNumber'], [person(0)]), 'csv');
    const impostor = { name: person(1).name, idNumber: person(0).idNumber };
    const rejects = sink();
    const summary = await run(csv(['name', 'idNumber'], [person(2), impostor]), 'csv', { rejects });
    expect(summary).toMatchObject({ imported: 1, rejected: 1 });
    expect(summary.firstRejects).toEqual([{ line: 3, field: 'name', reason: NAME_CONFLICT }]);
    expect(rejects.text()).toContain(`3,name,${NAME_CONFLICT}`);
    const [row] = await store.registry.lookup(hasher.idNumber(canonicalIdNumber(person(0).idNumber)));
    expect(row?.nameHash.equals(hasher.name(person(0).name))).toBe(true);
  });

  it('rejects a name conflict inside one file, even within one batch', async () => {
    const impostor = { name: person(1).name, idNumber: person(0).idNumber };
    const summary = await run(csv(['name', 'idNumber'], [person(0), impostor]), 'csv');
    expect(summary.firstRejects).toEqual([{ line: 3, field: 'name', reason: NAME_CONFLICT }]);
  });

  it('decides duplicates and conflicts in file order within a batch, as a batch of one row at a time would', async () => {
    const impostor = (i: number, name: number) => ({ ...person(i), name: person(name).name });
    const rows: Partial<Person>[] = [
      impostor(5, 9), // line 2: first for person 5, so the real name (line 8) is the conflict
      ...people.slice(0, 10),
      impostor(0, 8),
      impostor(3, 7),
      { ...person(1), phone: person(2).phone }, // the same (person, card): a duplicate, the first phone stays
      impostor(2, 6),
    ];
    const text = csv(['name', 'idNumber', 'bankCard', 'phone'], rows);
    const oneBatch = sink();
    const summary = await run(text, 'csv', { rejects: oneBatch });
    const stored = async () =>
      Promise.all(
        people.slice(0, 10).map(async (p) => (await store.registry.lookup(hasher.idNumber(canonicalIdNumber(p.idNumber)))).map((r) => [r.nameHash.toString('hex'), r.phoneHash?.toString('hex')])),
      );
    const inOneBatch = await stored();
    expect(summary).toMatchObject({ read: 15, imported: 10, duplicates: 1, rejected: 4 });
    expect(summary.firstRejects.map((r) => r.line)).toEqual([8, 13, 14, 16]);
    expect(inOneBatch[5]).toEqual([[hasher.name(person(9).name).toString('hex'), hasher.phone(canonicalPhone(person(5).phone)).toString('hex')]]);
    expect(inOneBatch[1]?.[0]?.[1]).toBe(hasher.phone(canonicalPhone(person(1).phone)).toString('hex'));

    await store.close();
    rmSync(dir, { recursive: true, force: true });
    store = openSqliteStore({ file: join(dir, 'realname.db') });
    const rowByRow = sink();
    expect(await run(text, 'csv', { rejects: rowByRow, batchSize: 1 })).toEqual(summary);
    expect(rowByRow.text()).toBe(oneBatch.text());
    expect(await stored()).toEqual(inOneBatch);
  });

  it('replace swaps the whole registry for the file', async () => {
    await run(csv(['name', 'idNumber'], people.slice(0, 5)), 'csv');
    const summary = await run(csv(['name', 'idNumber'], people.slice(5, 8)), 'csv', { replace: true, batchSize: 2 });
    expect(summary.imported).toBe(3);
    expect(await store.registry.count()).toBe(3);
    expect(await known(person(0))).toBe(false);
    expect(await known(person(6))).toBe(true);
  });

  it('a replace that fails part-way leaves the old registry intact', async () => {
    await run(csv(['name', 'idNumber'], people.slice(0, 5)), 'csv');
    const good = csv(['name', 'idNumber'], people.slice(5, 11));
    const input = Readable.from(
      (async function* () {
        yield good;
        throw new Error('disk went away');
      })(),
    );
    await expect(
      importRegistry({ input, format: 'csv', store: store.registry, hasher, now: NOW, replace: true, batchSize: 2 }),
    ).rejects.toThrow('disk went away');
    expect(await store.registry.count()).toBe(5);
    expect(await known(person(0))).toBe(true);
    expect(await known(person(6))).toBe(false);

    // malformed CSV part-way is fatal too
    await expect(run(good + '"unterminated,1\n', 'csv', { replace: true, batchSize: 2 })).rejects.toMatchObject({ code: 'MALFORMED_CSV' });
    expect(await store.registry.count()).toBe(5);
  });

  it('stops on a quote inside an unquoted field with its line, never echoing the cell', async () => {
    const text = csv(['name', 'idNumber'], people.slice(0, 3)) + `${person(3).name.slice(0, 1)}"${person(3).name.slice(1)},${person(3).idNumber}\n`;
    const failure = await run(text, 'csv').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(RegistryFileError);
    expect(failure).toMatchObject({ code: 'MALFORMED_CSV', line: 5 });
    expect((failure as Error).message).not.toContain(person(3).name.slice(0, 1));
  });

  it('reports progress in rows and bytes', async () => {
    const text = csv(['name', 'idNumber'], people);
    const seen: { rows: number; bytes: number }[] = [];
    await run(text, 'csv', { batchSize: 5, onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.at(-1)).toEqual({ rows: people.length, bytes: Buffer.byteLength(text) });
  });
});

describe('removePerson', () => {
  it('removes every row of one person, found by any spelling of the ID number', async () => {
    const p = person(0);
    await run(csv(['name', 'idNumber', 'bankCard'], [p, { ...p, bankCard: person(1).bankCard }, person(2)]), 'csv');
    const spelled = p.idNumber.toLowerCase().padStart(p.idNumber.length + 2, ' ');
    expect(await removePerson({ store: store.registry, hasher, idNumber: spelled })).toBe(2);
    expect(await known(p)).toBe(false);
    expect(await store.registry.count()).toBe(1);
    expect(await removePerson({ store: store.registry, hasher, idNumber: p.idNumber })).toBe(0);
  });
});

describe('detectFormat', () => {
  it('goes by --format, else by extension', () => {
    expect(detectFormat('people.CSV')).toBe('csv');
    expect(detectFormat('people.jsonl')).toBe('jsonl');
    expect(detectFormat('people.ndjson')).toBe('jsonl');
    expect(detectFormat('-', 'csv')).toBe('csv');
    expect(detectFormat('people.txt', 'JSONL')).toBe('jsonl');
    expect(() => detectFormat('-')).toThrow(/--format/);
    expect(() => detectFormat('a.csv', 'xml')).toThrow(/unknown format/);
  });
});

describe('streaming', () => {
  /** A store that records how far the reader ran ahead of what was written. */
  function watched(inner: RegistryStore, produced: () => number) {
    let written = 0;
    let maxAhead = 0;
    let maxBatch = 0;
    const wrapper: RegistryStore = {
      ...inner,
      lookup: (h) => inner.lookup(h),
      match: (id, name, card) => inner.match(id, name, card),
      remove: (h) => inner.remove(h),
      count: () => inner.count(),
      beginReplace: () => inner.beginReplace(),
      async importBatch(rows) {
        maxBatch = Math.max(maxBatch, rows.length);
        written += rows.length;
        maxAhead = Math.max(maxAhead, produced() - written);
        return inner.importBatch(rows);
      },
    };
    return { wrapper, stats: () => ({ maxAhead, maxBatch, written }) };
  }

  it('pulls the input only as fast as the store writes: rows in memory stay bounded by the batch', async () => {
    const total = 30_000;
    const batchSize = 500;
    let produced = 0;
    const identities = generateIdentities(total, 7);
    const input = Readable.from(
      (function* () {
        yield 'name,idNumber,bankCard,phone\n';
        for (const p of identities) {
          produced++;
          yield `${p.name},${p.idNumber},${p.bankCard},${p.phone}\n`;
        }
      })(),
    );
    const { wrapper, stats } = watched(store.registry, () => produced);
    const summary = await importRegistry({ input, format: 'csv', store: wrapper, hasher, now: NOW, batchSize });
    expect(summary.read).toBe(total);
    expect(stats().maxBatch).toBe(batchSize);
    // Slack: the stream buffers between reader and parser (a few dozen rows), never the file.
    expect(stats().maxAhead).toBeLessThan(batchSize * 2);
  });

  it('imports a large generated file without reading ahead of the store', { timeout: 240_000 }, async () => {
    const total = 200_000;
    const file = join(dir, 'people.csv');
    // Where each data row ends in the file, to tell how many rows the reader has consumed.
    const rowEnds = new Float64Array(total);
    const out = createWriteStream(file);
    let offset = Buffer.byteLength('name,idNumber,bankCard,phone\n');
    out.write('name,idNumber,bankCard,phone\n');
    let i = 0;
    for (const p of generateIdentities(total, 11)) {
      const line = `${p.name},${p.idNumber},${p.bankCard},${p.phone}\n`;
      offset += Buffer.byteLength(line);
      rowEnds[i++] = offset;
      if (!out.write(line)) await once(out, 'drain');
    }
    out.end();
    await finished(out);

    const input = createReadStream(file);
    const rowsRead = () => {
      let lo = 0;
      let hi = total;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((rowEnds[mid] as number) <= input.bytesRead) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const { wrapper, stats } = watched(store.registry, rowsRead);
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const started = performance.now();
    const summary = await importRegistry({
      input,
      format: 'csv',
      store: wrapper,
      hasher,
      now: NOW,
      onProgress: () => (peak = Math.max(peak, process.memoryUsage().rss)),
    });
    const seconds = (performance.now() - started) / 1000;

    expect(summary.read).toBe(total);
    // The generator may repeat an ID number under another name, very rarely: those are conflicts.
    expect(summary.imported + summary.duplicates + summary.rejected).toBe(total);
    expect(summary.firstRejects.every((r) => r.reason === NAME_CONFLICT)).toBe(true);
    expect(await store.registry.count()).toBe(summary.imported);
    // Ahead of the store by at most one batch plus the read stream's buffers (64 KiB chunks).
    const rowsPerChunk = Math.ceil(65_536 / (offset / total));
    expect(stats().maxBatch).toBe(DEFAULT_BATCH_SIZE);
    expect(stats().maxAhead).toBeLessThan(DEFAULT_BATCH_SIZE + 3 * rowsPerChunk);
    console.log(
      `import: ${total} rows in ${seconds.toFixed(1)} s = ${Math.round(total / seconds)} rows/s; ` +
        `rss ${(rssBefore / 1048576).toFixed(0)} -> peak ${(peak / 1048576).toFixed(0)} MB; at most ${stats().maxAhead} rows read ahead`,
    );
  });
});
