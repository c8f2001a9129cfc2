import { Readable } from 'node:stream';
import { parse as csvParse, type CsvError, type Options as CsvOptions } from 'csv-parse';

/** One CSV record: `line` is the file line it ends on (blank lines counted), `bytes` the file bytes read through it. */
export interface CsvRecord {
  line: number;
  bytes: number;
  cells: string[];
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const QUOTE = 0x22;
const UTF16LE_BOM_START = 0xff;

/**
 * The records of a registry CSV, a chunk's worth at a time, exactly as csv-parse reads them with
 * { bom, relax_column_count, skip_empty_lines } (auto-detected record delimiter, "" quoting).
 *
 * Registry files are nearly always plain: lines of comma-separated cells ending in \n, no quotes,
 * no \r. Those lines are split here directly: csv-parse spends about as much per row on its
 * per-record info objects and per-record stream iteration as on parsing, a tenth of a whole import.
 * From the first line holding a quote or a \r (or a UTF-16 byte-order mark at the start) on, the
 * rest of the file goes to csv-parse itself, resumed at that line with the delimiter it would have
 * detected, so every such file reads as before, line numbers and byte counts included.
 */
export async function* csvRecords(input: Readable): AsyncGenerator<CsvRecord[]> {
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  try {
    let pending: Buffer = Buffer.alloc(0);
    /** File offset of pending[0], and the file line pending starts on. */
    let offset = 0;
    let line = 1;
    let start = 0;
    let bomChecked = false;
    for (;;) {
      const next = await chunks.next();
      const done = next.done === true;
      if (!done) {
        const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : (next.value as Buffer);
        pending = pending.length === start ? chunk : Buffer.concat([pending.subarray(start), chunk]);
        offset += start;
        start = 0;
      }
      if (!bomChecked) {
        // Like csv-parse: decide on a byte-order mark once 3 bytes are in (or the file ends).
        if (pending.length < 3 && !done) continue;
        bomChecked = true;
        if (pending[0] === UTF16LE_BOM_START) {
          yield* parsedByCsvParse(pending, chunks, { line: 1, bytes: 0, delimiterSeen: false });
          return;
        }
        if (pending[0] === 0xef && pending[1] === 0xbb && pending[2] === 0xbf) start = 3;
      }
      const quote = pending.indexOf(QUOTE, start);
      const cr = pending.indexOf(CARRIAGE_RETURN, start);
      const special = quote === -1 ? cr : cr === -1 ? quote : Math.min(quote, cr);
      const limit = special === -1 ? pending.length : special;
      const records: CsvRecord[] = [];
      for (let nl = pending.indexOf(NEWLINE, start); nl !== -1 && nl < limit; nl = pending.indexOf(NEWLINE, start)) {
        if (nl > start) records.push({ line, bytes: offset + nl + 1, cells: pending.toString('utf8', start, nl).split(',') });
        line++;
        start = nl + 1;
      }
      if (special !== -1) {
        if (records.length > 0) yield records;
        // From the line's start; on the first line from the file's start, BOM included, for csv-parse to check.
        const from = line === 1 && offset === 0 ? 0 : start;
        yield* parsedByCsvParse(pending.subarray(from), chunks, { line, bytes: offset + from, delimiterSeen: line > 1 });
        return;
      }
      if (done) {
        // The last line may lack its \n.
        if (start < pending.length) records.push({ line, bytes: offset + pending.length, cells: pending.toString('utf8', start).split(',') });
        if (records.length > 0) yield records;
        return;
      }
      if (records.length > 0) yield records;
    }
  } finally {
    await chunks.return?.();
  }
}

/**
 * csv-parse over `head` and the rest of `chunks`, as if it had read the file from its start: `line`
 * and `bytes` say where `head` begins (bytes 0: the start, where a BOM is looked for); `delimiterSeen`
 * when a \n came before, which csv-parse would have taken as the record delimiter.
 */
async function* parsedByCsvParse(
  head: Buffer,
  chunks: AsyncIterator<Buffer | string>,
  at: { line: number; bytes: number; delimiterSeen: boolean },
): AsyncGenerator<CsvRecord[]> {
  const options: CsvOptions<CsvRecord, string[]> = {
    bom: at.bytes === 0,
    relax_column_count: true,
    skip_empty_lines: true,
    ...(at.delimiterSeen ? { record_delimiter: '\n' } : {}),
    // ctx.lines is the line the record ends on: the file's own numbering, blank lines included.
    on_record: (cells, ctx) => ({ line: ctx.lines + at.line - 1, bytes: ctx.bytes + at.bytes, cells }),
  };
  // The typings only let on_record return the record's own shape; the parser itself passes anything on.
  const parser = csvParse(options as unknown as CsvOptions);
  const source = Readable.from(
    (async function* () {
      if (head.length > 0) yield head;
      for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) yield next.value;
    })(),
    { objectMode: false },
  );
  // pipe() does not forward source errors; the parser's iterator must see them.
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<CsvRecord>) yield [record];
  } catch (err) {
    const csvError = err as Partial<CsvError>;
    if (typeof csvError.lines === 'number') csvError.lines += at.line - 1;
    throw err;
  } finally {
    source.unpipe(parser);
    parser.destroy();
    source.destroy();
  }
}
