import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { isCheckKind, KIND_FACTORS, type CheckKind, type Factors } from '../../core/index.ts';

export type BatchFormat = 'jsonl' | 'csv';

/** One line of an upload: a check to run, or why it is not one (a result of its own, never a failed batch). */
export type BatchRow = { line: number; kind: CheckKind; factors: Factors } | { line: number; error: { reason: string; field?: string } };

const FACTOR_FIELDS = ['name', 'idNumber', 'bankCard', 'phone'] as const;
type Field = 'kind' | (typeof FACTOR_FIELDS)[number];

/** A column or key as people write it — `idNumber`, `IDNumber`, `id_number`, `ID-Number` — to the field it names. */
const FIELD_OF = new Map<string, Field>((['kind', ...FACTOR_FIELDS] as const).map((f) => [f.toLowerCase(), f]));
const fieldOf = (key: string): Field | undefined => FIELD_OF.get(key.trim().toLowerCase().replace(/[_\-\s]/g, ''));

const blank = (value: unknown) => value === undefined || value === null || value === '';

/**
 * A row's check from its fields: the row's kind or the batch's, and the kind's factors (each present, as
 * text). A file's columns serve every kind it holds, so a factor the row's kind does not check, and a
 * column of the client's own (a reference), are not read; a field given twice (`idNumber` and
 * `id_number`) is an error, as no one can tell which was meant.
 */
function rowOf(line: number, raw: Record<string, unknown>, batchKind: CheckKind | null): BatchRow {
  const fields: Partial<Record<Field, unknown>> = {};
  for (const [key, value] of Object.entries(raw)) {
    const field = fieldOf(key);
    if (field === undefined || blank(value)) continue;
    // The key names a field (letters and separators only), so it can be quoted: it holds no factor's value.
    if (fields[field] !== undefined) return { line, error: { reason: 'duplicate', field: key } };
    fields[field] = value;
  }
  const named = fields.kind;
  let kind: CheckKind | null = batchKind;
  if (named !== undefined) {
    if (typeof named !== 'string') return { line, error: { reason: 'type', field: 'kind' } };
    if (!isCheckKind(named)) return { line, error: { reason: 'kind_unknown', field: 'kind' } };
    kind = named;
  }
  if (kind === null) return { line, error: { reason: 'missing', field: 'kind' } };
  const factors: Factors = {};
  for (const field of KIND_FACTORS[kind]) {
    const value = fields[field];
    if (blank(value)) return { line, error: { reason: 'missing', field } };
    if (typeof value !== 'string') return { line, error: { reason: 'type', field } };
    factors[field] = value;
  }
  return { line, kind, factors };
}

/** Counts the bytes of a stream as they pass, failing it past `max`. */
export class TooLarge extends Error {}

/**
 * Rows of an upload as it streams in: JSONL (one object a line) or CSV (a header line naming the columns:
 * kind, name, idNumber, bankCard, phone). A line that does not parse is a row with its reason.
 */
export async function* batchRows(input: Readable, format: BatchFormat, batchKind: CheckKind | null, maxBytes: number): AsyncGenerator<BatchRow> {
  // Counted as the bytes pass; past the limit the upload is refused (the caller answers, the rest is drained).
  let bytes = 0;
  const counted = (chunk: Buffer) => {
    bytes += chunk.length;
  };
  input.on('data', counted);
  const check = () => {
    if (bytes > maxBytes) throw new TooLarge(`over ${maxBytes} bytes`);
  };
  if (format === 'jsonl') {
    let line = 0;
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      check();
      line++;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        yield { line, error: { reason: 'broken' } };
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) yield { line, error: { reason: 'not_object' } };
      else yield rowOf(line, flatten(value as Record<string, unknown>), batchKind);
    }
    check();
    return;
  }
  const parser = input.pipe(parse({ columns: (header: string[]) => header.map((h) => h.trim()), relax_column_count: true, skip_empty_lines: true, bom: true, info: true }));
  const broken = (error: Error) => parser.destroy(error);
  input.on('error', broken);
  try {
    for await (const record of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      check();
      yield rowOf(record.info.lines, record.record, batchKind);
    }
    check();
  } finally {
    // Refused mid-upload (too many rows): the parser is gone, but a pipe into it would hold the rest of
    // the body unread forever (it waits for a drain that never comes), and the answer with it.
    input.unpipe(parser);
    input.off('error', broken);
    input.off('data', counted);
  }
}

/** JSONL rows may nest the factors as the single check's body does ({"kind", "factors": {…}}) or list them flat. */
function flatten(value: Record<string, unknown>): Record<string, unknown> {
  const { factors: nested, ...rest } = value;
  if (typeof nested !== 'object' || nested === null || Array.isArray(nested)) return value;
  return { ...rest, ...(nested as Record<string, unknown>) };
}
