import { Readable } from 'node:stream';
import { parse as csvParse, type CsvError, type Options as CsvOptions } from 'csv-parse';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRecords, type CsvRecord } from '../../src/registry/csv-records.ts';

type Outcome = { records: CsvRecord[]; error?: { code: string; lines: number | undefined } };

/**
 * What csv-parse alone makes of the file, with the options the registry import has always used: every
 * record it parses (before an error, how many of those a stream reader gets to see depends on timing).
 */
async function byCsvParse(file: Buffer): Promise<Outcome> {
  const records: CsvRecord[] = [];
  const options: CsvOptions<CsvRecord, string[]> = {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    on_record: (cells, ctx) => {
      records.push({ line: ctx.lines, bytes: ctx.bytes, cells });
      return cells;
    },
  };
  try {
    for await (const r of Readable.from([file]).pipe(csvParse(options as unknown as CsvOptions))) void r;
  } catch (err) {
    return { records, error: { code: (err as CsvError).code, lines: (err as CsvError).lines as number | undefined } };
  }
  return { records };
}

async function byCsvRecords(chunks: Buffer[]): Promise<Outcome> {
  const records: CsvRecord[] = [];
  try {
    for await (const group of csvRecords(Readable.from(chunks))) records.push(...group);
  } catch (err) {
    return { records, error: { code: (err as CsvError).code, lines: (err as CsvError).lines as number | undefined } };
  }
  return { records };
}

/** The file cut at the given points (a chunk boundary may fall inside a character or a line ending). */
function cut(file: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((p) => p % (file.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    if (p > from) chunks.push(file.subarray(from, p));
    from = Math.max(from, p);
  }
  if (from < file.length) chunks.push(file.subarray(from));
  return chunks;
}

const plain = fc.constantFrom('张三', 'Li', '110105194912310021', '6222021234567890123', '+8613800138000', ' ', 'é', '𠀀', '');
const tricky = fc.constantFrom('"', '""', '"a,b"', '"x\ny"', '\r', '\r\n', '\ufeff', '\xff', 'a"b');
const cell = fc.oneof({ weight: 8, arbitrary: plain }, { weight: 1, arbitrary: tricky });
const lineOf = fc.array(cell, { minLength: 0, maxLength: 5 }).map((cells) => cells.join(','));
const ending = fc.constantFrom('\n', '\n', '\n', '\r\n', '\r', '\n\n');

const fileText = fc
  .tuple(fc.constantFrom('', '\ufeff', '\ufeff\ufeff'), fc.array(fc.tuple(lineOf, ending), { maxLength: 12 }), fc.boolean())
  .map(([bom, lines, lastEnding]) => bom + lines.map(([l, e], i) => (i === lines.length - 1 && !lastEnding ? l : l + e)).join(''));

describe('csvRecords', () => {
  it('reads every file as csv-parse does: cells, line numbers, byte counts and errors, however the input is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(fileText, fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), async (text, cuts, rawBytes) => {
        let file = Buffer.from(text, 'utf8');
        // Now and then bytes that are not UTF-8 at all (a UTF-16 BOM start, a stray continuation byte).
        if (rawBytes) file = Buffer.from(file.map((b) => (b === 0xc3 ? 0xff : b)));
        const expected = await byCsvParse(file);
        const got = await byCsvRecords(cut(file, cuts));
        expect(got.error).toEqual(expected.error);
        // On an error, the records read before it (all of them are records of the file, in order).
        if (expected.error) expect(got.records).toEqual(expected.records.slice(0, got.records.length));
        else expect(got.records).toEqual(expected.records);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads plain files without csv-parse, in groups of records', async () => {
    const text = 'name,idNumber\n' + Array.from({ length: 1000 }, (_, i) => `张${i},11010519491231002X`).join('\n') + '\n\n';
    const groups: CsvRecord[][] = [];
    for await (const group of csvRecords(Readable.from([Buffer.from(text)]))) groups.push(group);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toEqual((await byCsvParse(Buffer.from(text))).records);
  });
});
