import Busboy from '@fastify/busboy';
import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCheckKind, type CheckKind } from '../../core/index.ts';
import { BatchError, type BatchFormat, type Batches, type RowResult, type Services } from '../../service/index.ts';
import type { WireAnswer } from '../define.ts';
import { problem } from './present.ts';
import type { ProblemName } from './problems.ts';
import { reader } from './read.ts';
import { BATCH, PROBLEM } from './schemas.ts';

const STATUS_SCHEMA = { response: { 200: BATCH, 202: BATCH, '4xx': PROBLEM, '5xx': PROBLEM } } as const;

type BatchRecord = NonNullable<Awaited<ReturnType<Batches['get']>>>;

/** GET /v1/batches/{id}: state, rows, counts by verdict, rows/s and ETA. */
export function batchStatus(record: BatchRecord, now: number): Record<string, unknown> {
  const until = record.finishedAt ?? now;
  const seconds = Math.max(0.001, (until - record.createdAt) / 1000);
  const rowsPerSecond = record.rowsDone / seconds;
  const left = record.rowsTotal - record.rowsDone;
  return {
    id: record.batchId,
    state: record.state,
    kind: record.kind,
    rows: { total: record.rowsTotal, done: record.rowsDone },
    counts: record.counts,
    rowsPerSecond: Math.round(rowsPerSecond * 10) / 10,
    etaSeconds: left === 0 ? 0 : rowsPerSecond > 0 && record.state === 'running' ? Math.ceil(left / rowsPerSecond) : null,
    createdAt: new Date(record.createdAt).toISOString(),
    finishedAt: record.finishedAt === null ? null : new Date(record.finishedAt).toISOString(),
    expiresAt: new Date(record.expiresAt).toISOString(),
  };
}

const FORMATS: Record<string, BatchFormat> = {
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
  'application/json-lines': 'jsonl',
  'text/csv': 'csv',
};

const formatOf = (contentType: string | undefined): BatchFormat | 'multipart' | undefined => {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'multipart/form-data' ? 'multipart' : FORMATS[type];
};

/**
 * The first file of a multipart upload, streamed, and its format from its type or name. Every error of the
 * parser and of its parts is handled: a truncated or broken upload fails the file stream (the batch reads it
 * as a malformed upload and keeps nothing) or, before a file is found, resolves to none — never an
 * unhandled 'error' event, which would end the process.
 */
function multipartFile(request: FastifyRequest, stream: Readable): Promise<{ format: BatchFormat; file: Readable } | undefined> {
  return new Promise((resolve) => {
    let parser;
    try {
      parser = Busboy({ headers: request.headers as IncomingHttpHeaders & { 'content-type': string } });
    } catch {
      resolve(undefined);
      return;
    }
    let out: PassThrough | undefined;
    const broken = (error: Error) => {
      if (out) out.destroy(error);
      else resolve(undefined);
      // The rest of the body is read and dropped, so the answer reaches the client.
      stream.unpipe(parser);
      stream.resume();
    };
    parser.on('file', (_field, file, filename, _encoding, mimetype) => {
      file.on('error', broken);
      const format = FORMATS[mimetype.toLowerCase()] ?? (/\.csv$/i.test(filename) ? 'csv' : /\.(jsonl|ndjson)$/i.test(filename) ? 'jsonl' : undefined);
      if (out || format === undefined) return file.resume();
      out = new PassThrough();
      file.pipe(out);
      resolve({ format, file: out });
    });
    parser.on('error', broken);
    parser.on('finish', () => {
      if (!out) resolve(undefined);
    });
    stream.on('error', broken);
    stream.pipe(parser);
  });
}

const CSV_COLUMNS = ['line', 'id', 'kind', 'verdict', 'mismatched', 'invalidField', 'invalidReason', 'refusal', 'error', 'source', 'billed', 'name', 'idNumber', 'bankCard', 'phone'] as const;

const csvCell = (v: unknown) => {
  const text = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

function csvLine(r: RowResult): string {
  const factors = (r.factors ?? {}) as Record<string, string>;
  const invalid = r.invalid as { field?: string; reason?: string } | undefined;
  const error = r.error as { reason?: string; field?: string } | undefined;
  const cells: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    line: r.line,
    id: r.id,
    kind: r.kind,
    verdict: r.verdict,
    mismatched: Array.isArray(r.mismatched) ? r.mismatched.join(' ') : undefined,
    invalidField: invalid?.field,
    invalidReason: invalid?.reason,
    refusal: r.refusal,
    error: error ? [error.reason, error.field].filter(Boolean).join(':') : undefined,
    source: r.source,
    billed: r.billed,
    name: factors.name,
    idNumber: factors.idNumber,
    bankCard: factors.bankCard,
    phone: factors.phone,
  };
  return CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',') + '\n';
}

async function* resultLines(batches: Batches, record: BatchRecord, csv: boolean, signal: AbortSignal): AsyncGenerator<string> {
  if (csv) yield CSV_COLUMNS.join(',') + '\n';
  for await (const row of batches.results(record, { signal })) yield csv ? csvLine(row) : JSON.stringify(row) + '\n';
}

/** /v1/batches: upload (streamed), status, results in input order as they finish, cancel. */
export function batchRoutes(instance: FastifyInstance, services: Services): void {
  const send = (reply: FastifyReply, wire: WireAnswer) => {
    reply.code(wire.status ?? 200);
    if (wire.headers) reply.headers(wire.headers);
    if (wire.contentType) reply.type(wire.contentType);
    return reply.send(wire.payload);
  };
  const refuse = (reply: FastifyReply, name: ProblemName, detail?: string) =>
    send(reply, problem(name, { checkId: services.newCheckId(), startedAt: services.clock() }, detail ? { detail } : {}));

  /** The app and its batches, or the problem already sent. */
  const authorized = async (request: FastifyRequest, reply: FastifyReply): Promise<{ appid: string; batches: Batches } | undefined> => {
    const who = await reader(services, request.headers.authorization, services.clientIp(request));
    if ('problem' in who) return void (await refuse(reply, who.problem));
    if (!services.batches) return void (await refuse(reply, 'batches_unavailable'));
    return { appid: who.appid, batches: services.batches };
  };

  // Its own context: the upload is a stream, read by the batch as it goes, never whole in memory.
  instance.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    child.post<{ Querystring: { kind?: string } }>('/v1/batches', { schema: STATUS_SCHEMA }, async (request, reply) => {
      const body = request.body as Readable | undefined;
      const drain = () => body?.resume();
      const auth = await authorized(request, reply);
      if (!auth) return drain(), reply;
      const app = await services.tenants.app(auth.appid);
      const kindParam = request.query.kind;
      if (kindParam !== undefined && !isCheckKind(kindParam)) {
        drain();
        return send(reply, problem('invalid_request', { checkId: services.newCheckId(), startedAt: services.clock() }, { errors: [{ field: 'kind', reason: 'value' }] }));
      }
      const kind = (kindParam as CheckKind | undefined) ?? null;
      if (kind !== null && app && !services.access.permitted(app, kind)) return drain(), refuse(reply, 'kind_not_permitted');
      let format = formatOf(request.headers['content-type']);
      let input = body;
      if (format === 'multipart' && body) {
        const file = await multipartFile(request, body);
        if (!file) return refuse(reply, 'bad_request', 'the multipart body has no CSV or JSONL file');
        format = file.format;
        input = file.file;
      }
      if (format === undefined || format === 'multipart' || !input) return drain(), refuse(reply, 'unsupported_media_type', 'send text/csv, application/x-ndjson or a multipart file');
      try {
        const record = await auth.batches.create(auth.appid, kind, format, input);
        return reply.code(202).header('location', `/v1/batches/${record.batchId}`).send(batchStatus(record, services.clock()));
      } catch (error) {
        if (error instanceof BatchError) {
          drain();
          return refuse(reply, error.problem, error.message);
        }
        throw error;
      }
    });
  });

  const found = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const auth = await authorized(request, reply);
    if (!auth) return undefined;
    const record = await auth.batches.get(auth.appid, request.params.id);
    if (!record) return void (await refuse(reply, 'batch_not_found'));
    return { ...auth, record };
  };

  instance.get<{ Params: { id: string } }>('/v1/batches/:id', { schema: STATUS_SCHEMA }, async (request, reply) => {
    const batch = await found(request, reply);
    return batch ? reply.send(batchStatus(batch.record, services.clock())) : reply;
  });

  instance.get<{ Params: { id: string }; Querystring: { format?: string } }>('/v1/batches/:id/results', async (request, reply) => {
    const batch = await found(request, reply);
    if (!batch) return reply;
    const csv = request.query.format === 'csv' || (request.query.format === undefined && /text\/csv/.test(request.headers.accept ?? ''));
    const aborted = new AbortController();
    reply.raw.on('close', () => aborted.abort());
    reply.type(csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    return reply.send(Readable.from(resultLines(batch.batches, batch.record, csv, aborted.signal)));
  });

  instance.delete<{ Params: { id: string } }>('/v1/batches/:id', { schema: STATUS_SCHEMA }, async (request, reply) => {
    const batch = await found(request, reply);
    if (!batch) return reply;
    const cancelled = await batch.batches.cancel(batch.appid, batch.record.batchId);
    return reply.send(batchStatus(cancelled ?? batch.record, services.clock()));
  });
}
