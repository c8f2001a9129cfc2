import type { FastifyInstance } from 'fastify';
import { maskIdNumber } from '../audit/redact.ts';
import { validateIdNumber } from '../core/id-number.ts';
import { registryHasher } from '../registry/hash.ts';
import { importRegistry, RegistryFileError } from '../registry/import.ts';
import { oldKeyRows, oldKeyRowsText } from '../registry/old-key-rows.ts';
import type { ConsoleContext } from './context.ts';
import { ConsoleError, fields, queryValue, text } from './http.ts';
import { overview } from './overview.ts';

/** Newest audit records the overview reads: enough for a busy day's charts, bounded per refresh. */
const OVERVIEW_RECORDS = 20_000;

const IMPORT_TYPES: Record<string, 'csv' | 'jsonl'> = { 'text/csv': 'csv', 'application/x-ndjson': 'jsonl', 'application/jsonl': 'jsonl' };

/** The overview, sources, registry and subjects pages. */
export function dataRoutes(app: FastifyInstance, context: ConsoleContext): void {
  const { store, sources, keys, clock } = context;

  app.get('/api/overview', async () => {
    const [records, report] = await Promise.all([store.audit.query({ limit: OVERVIEW_RECORDS }), sources.report()]);
    return overview(records, OVERVIEW_RECORDS, report, clock());
  });

  app.get('/api/sources', async () => {
    const [report, records, routes] = await Promise.all([sources.report(), sources.list(), sources.routes()]);
    const settings = new Map(records.map((r) => [r.name, r.settings]));
    return { sources: report.map((r) => ({ ...r, settings: settings.get(r.name) })), routes };
  });

  for (const [verb, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post<{ Params: { name: string } }>(`/api/sources/:name/${verb}`, { config: { rule: { action: `sources.${verb}`, admin: true } } }, async (request) => {
      const r = await sources.switch(request.params.name, disabled);
      return { name: r.name, disabled: r.disabled };
    });
  }

  app.get('/api/registry', async () => {
    const [rows, imports] = await Promise.all([store.registry.count(), store.operators.actions({ action: 'registry.import', limit: 20 })]);
    const last = imports.find((a) => a.ok);
    return { rows, lastImport: last ? { at: last.at, operator: last.operator, ...last.detail } : null };
  });

  // A registry file is streamed into the import as it arrives (never held whole): its content type names its format.
  for (const type of Object.keys(IMPORT_TYPES)) app.addContentTypeParser(type, (_request, payload, done) => done(null, payload));

  app.post('/api/registry/import', { config: { rule: { action: 'registry.import', admin: true } } }, async (request) => {
    const format = IMPORT_TYPES[(request.headers['content-type'] ?? '').split(';')[0]!.trim()];
    if (!format || !request.body) throw new ConsoleError(415, 'bad_type', 'send the file as text/csv or application/x-ndjson');
    const replace = queryValue(request, 'replace') === 'yes';
    const file = (queryValue(request, 'file') ?? 'upload').slice(0, 200);
    request.detail = { file, format, replace };
    if (!replace) {
      const left = await oldKeyRows(store.registry, keys);
      if (left) throw new ConsoleError(409, 'old_key_rows', oldKeyRowsText(left));
    }
    try {
      const summary = await importRegistry({
        input: request.body as NodeJS.ReadableStream & import('node:stream').Readable,
        format,
        store: store.registry,
        hasher: registryHasher(keys),
        now: new Date(clock()),
        replace,
        atomic: true,
      });
      Object.assign(request.detail, { read: summary.read, imported: summary.imported, duplicates: summary.duplicates, rejected: summary.rejected });
      return { summary };
    } catch (error) {
      if (error instanceof RegistryFileError) throw new ConsoleError(400, 'bad_file', `${error.message}; nothing was imported`);
      throw error;
    }
  });

  /** The subject's ID number from a POSTed body (never a URL), checked and canonical; the log keeps its mask. */
  const subject = (body: Record<string, unknown>): string => {
    const checked = validateIdNumber(text(body.idNumber, 'idNumber', 40), new Date(clock()));
    if (!checked.ok) throw new ConsoleError(400, 'invalid', `not a valid ID number (${checked.invalid.reason})`);
    return checked.idNumber;
  };

  app.post('/api/subjects/report', { config: { rule: { action: 'subjects.report', admin: true } } }, async (request) => {
    const idNumber = subject(fields(request));
    request.detail = { idNumber: maskIdNumber(idNumber) };
    const rows = await store.registry.lookup(registryHasher(keys).idNumber(idNumber));
    return {
      idNumber: maskIdNumber(idNumber),
      registry: { rows: rows.length, withCard: rows.filter((r) => r.cardHash !== null).length, withPhone: rows.filter((r) => r.phoneHash !== null).length },
    };
  });

  app.post('/api/subjects/erase', { config: { rule: { action: 'subjects.erase', admin: true } } }, async (request) => {
    const body = fields(request);
    const idNumber = subject(body);
    request.detail = { idNumber: maskIdNumber(idNumber) };
    if (body.confirm !== true) throw new ConsoleError(400, 'unconfirmed', 'an erasure must be confirmed');
    const registryRows = await store.registry.remove(registryHasher(keys).idNumber(idNumber));
    const cacheEntries = (await context.cache?.forgetPerson(idNumber)) ?? 0;
    Object.assign(request.detail, { registryRows, cacheEntries });
    return { idNumber: maskIdNumber(idNumber), registryRows, cacheEntries };
  });
}
