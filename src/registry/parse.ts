import type { Readable } from 'node:stream';
import { CsvError } from 'csv-parse';
import type { Factor, Factors } from '../core/factors.ts';
import { csvRecords } from './csv-records.ts';

/**
 * Reading registry files (CSV with a header, or JSONL) into raw factor rows, a chunk of the file at a
 * time and pull-based, so a slow consumer slows the reader and memory stays flat however large the file.
 * Values are passed on untouched: validation and canonicalisation belong to the core.
 */

export type RegistryFormat = 'csv' | 'jsonl';

export const REGISTRY_COLUMNS: readonly Factor[] = ['name', 'idNumber', 'bankCard', 'phone'];
const REQUIRED_COLUMNS: readonly Factor[] = ['name', 'idNumber'];

/** A row the file could not even describe (broken JSON, wrong column count …): never carries a value. */
export interface RowProblem {
  field: string;
  reason: string;
  /** The line cannot be parsed at all (not merely an ill-typed value): an atomic import refuses the file. */
  malformed: boolean;
}

/**
 * One data row: `factors` when readable, `problem` otherwise. `line` is the file's line (CSV header = 1);
 * `bytes` how much of the file was read through this row.
 */
export interface SourceRow {
  line: number;
  bytes: number;
  factors?: Factors;
  problem?: RowProblem;
}

export type RegistryFileErrorCode =
  | 'MISSING_COLUMN'
  | 'UNKNOWN_COLUMN'
  | 'DUPLICATE_COLUMN'
  | 'NO_HEADER'
  | 'MALFORMED_CSV'
  | 'MALFORMED_LINE'
  | 'UNKNOWN_FORMAT'
  | 'OLD_KEY_ROWS'
  | 'NO_ROWS';

/** A problem with the file as a whole: the import stops (and a replace leaves the old registry). */
export class RegistryFileError extends Error {
  readonly code: RegistryFileErrorCode;
  readonly line: number | undefined;
  constructor(code: RegistryFileErrorCode, message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'RegistryFileError';
    this.code = code;
    this.line = line;
  }
}

/** Bytes of the file consumed so far, for progress reporting (also by what yields no row: header, blank lines). */
export interface ReadProgress {
  bytes: number;
}

/** The rows of a file, in order, in groups of those read from one chunk of input. */
export function readRows(input: Readable, format: RegistryFormat, progress: ReadProgress = { bytes: 0 }): AsyncGenerator<SourceRow[]> {
  return format === 'csv' ? readCsv(input, progress) : readJsonl(input, progress);
}

// ---------------------------------------------------------------- CSV

/** Maps header cells to factor positions; unknown or missing columns stop the import with a clear message. */
/**
 * How an unknown header cell is named in the error. A file without a header makes its first data row the
 * "header": only cells shaped like column names are echoed, so a name or an ID number never reaches stderr.
 */
function describeUnknownColumn(name: string, index: number): string {
  if (name === '') return `(empty, column ${index + 1})`;
  return /^[A-Za-z][A-Za-z0-9_ -]{0,39}$/.test(name) ? JSON.stringify(name) : `(column ${index + 1}: not a column name; is the header missing?)`;
}

function columnMap(header: string[]): (Factor | undefined)[] {
  const byLowerName = new Map(REGISTRY_COLUMNS.map((c) => [c.toLowerCase(), c]));
  const seen = new Set<Factor>();
  const unknown: string[] = [];
  const map = header.map((cell, i) => {
    const name = cell.trim();
    const column = byLowerName.get(name.toLowerCase());
    if (!column) {
      unknown.push(describeUnknownColumn(name, i));
      return undefined;
    }
    if (seen.has(column)) throw new RegistryFileError('DUPLICATE_COLUMN', `column ${column} appears twice in the header`, 1);
    seen.add(column);
    return column;
  });
  if (unknown.length > 0) {
    throw new RegistryFileError(
      'UNKNOWN_COLUMN',
      `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in the header; expected ${REGISTRY_COLUMNS.join(',')}`,
      1,
    );
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !seen.has(c));
  if (missing.length > 0) {
    throw new RegistryFileError('MISSING_COLUMN', `the header lacks column ${missing.join(' and ')} (expected ${REGISTRY_COLUMNS.join(',')})`, 1);
  }
  return map;
}

async function* readCsv(input: Readable, progress: ReadProgress): AsyncGenerator<SourceRow[]> {
  let columns: (Factor | undefined)[] | undefined;
  // The line the last whole record ended on: an unclosed quote opened on the record after it.
  let lastLine = 0;
  try {
    for await (const records of csvRecords(input)) {
      const rows: SourceRow[] = [];
      for (const { cells, line, bytes } of records) {
        lastLine = line;
        if (!columns) {
          progress.bytes = bytes;
          columns = columnMap(cells);
          continue;
        }
        if (cells.length !== columns.length) {
          rows.push({ line, bytes, problem: { field: '', reason: `expected ${columns.length} columns, found ${cells.length}`, malformed: true } });
          continue;
        }
        const factors: Factors = {};
        for (let i = 0; i < cells.length; i++) {
          const column = columns[i] as Factor;
          const value = cells[i] as string;
          // Empty optional cells mean "not on file"; empty required ones reach validation as empty.
          if (column === 'name' || column === 'idNumber' || value.trim() !== '') factors[column] = value;
        }
        rows.push({ line, bytes, factors });
      }
      if (rows.length > 0) yield rows;
    }
  } catch (err) {
    if (isCsvError(err)) {
      // csv-parse finds an unclosed quote only at the end of the file: name the line it opened on.
      const line = err.code === 'CSV_QUOTE_NOT_CLOSED' ? lastLine + 1 : typeof err.lines === 'number' ? err.lines : undefined;
      throw new RegistryFileError('MALFORMED_CSV', csvErrorText(err), line);
    }
    throw err;
  }
  if (!columns) throw new RegistryFileError('NO_HEADER', `the file is empty: expected a header ${REGISTRY_COLUMNS.join(',')}`);
}

/** Every error csv-parse raises, whatever its code is named (one lacks the CSV_ prefix): all of them quote input. */
function isCsvError(err: unknown): err is CsvError {
  return err instanceof CsvError;
}

/** csv-parse messages quote the offending input: only the code is passed on, never a value. */
function csvErrorText(err: CsvError): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'malformed CSV: a quoted field that starts here is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'malformed CSV: characters after a closing quote';
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'malformed CSV: characters after a closing quote';
    case 'INVALID_OPENING_QUOTE':
      return 'malformed CSV: a quote inside an unquoted field';
    default:
      return `malformed CSV (${err.code})`;
  }
}

// ---------------------------------------------------------------- JSONL

const NEWLINE = 0x0a;
const KNOWN_KEYS = new Set<string>(REGISTRY_COLUMNS);

async function* readJsonl(input: Readable, progress: ReadProgress): AsyncGenerator<SourceRow[]> {
  let line = 0;
  let bytes = 0;
  let carry: Buffer | undefined;
  // Splitting on the newline byte is UTF-8 safe: 0x0A never occurs inside a multi-byte sequence.
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    // Progress counts whole chunks read, as the rows of a chunk come out together.
    bytes += buf.length;
    progress.bytes = bytes;
    const data = carry ? Buffer.concat([carry, buf]) : buf;
    const rows: SourceRow[] = [];
    let start = 0;
    for (let nl = data.indexOf(NEWLINE, start); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
      line++;
      const row = jsonlRow(data.toString('utf8', start, nl), line, bytes);
      if (row) rows.push(row);
      start = nl + 1;
    }
    carry = start < data.length ? data.subarray(start) : undefined;
    if (rows.length > 0) yield rows;
  }
  if (carry) {
    line++;
    const row = jsonlRow(carry.toString('utf8'), line, bytes);
    if (row) yield [row];
  }
}

function jsonlRow(text: string, line: number, bytes: number): SourceRow | undefined {
  if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { line, bytes, problem: { field: '', reason: 'broken JSON', malformed: true } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { line, bytes, problem: { field: '', reason: 'not a JSON object', malformed: true } };
  }
  const factors: Factors = {};
  for (const [key, v] of Object.entries(value)) {
    if (!KNOWN_KEYS.has(key)) {
      // Key names are the file's structure, not personal data, but keep them short and printable.
      return { line, bytes, problem: { field: /^[A-Za-z_][\w]{0,39}$/.test(key) ? key : '', reason: 'unknown key', malformed: true } };
    }
    if (v === null || v === undefined) continue; // null = not on file
    if (typeof v !== 'string') return { line, bytes, problem: { field: key, reason: 'not a string', malformed: false } };
    if ((key === 'bankCard' || key === 'phone') && v.trim() === '') continue;
    factors[key as Factor] = v;
  }
  return { line, bytes, factors };
}
