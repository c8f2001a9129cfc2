import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { recordAccess } from '../audit/operator.ts';
import { subjectErase, subjectReport, type SubjectDeps } from '../audit/subject.ts';
import { maskIdNumber } from '../audit/redact.ts';
import { validateIdNumber } from '../core/id-number.ts';
import { registryHasher } from '../registry/hash.ts';
import { importRegistry, RegistryFileError } from '../registry/import.ts';
import { oldKeyRows, oldKeyRowsText } from '../registry/old-key-rows.ts';
import type { ConsoleContext } from './context.ts';
import { ConsoleError, fields, queryValue, text } from './http.ts';
import { DAY, daysSince, overview } from './overview.ts';
import { consoleOperator, trailOf } from './api-audit.ts';

/** Records of the last 24 hours the overview reads at most: its minute and hour charts, bounded per refresh. */
const OVERVIEW_RECORDS = 20_000;

const IMPORT_TYPES: Record<string, 'csv' | 'jsonl'> = { 'text/csv': 'csv', 'application/x-ndjson': 'jsonl', 'application/jsonl': 'jsonl' };

/** The overview, sources, registry and subjects pages. */
export function dataRoutes(app: FastifyInstance, context: ConsoleContext): void {
  const { store, sources, keys, clock } = context;

  app.get('/api/overview', async () => {
    const trail = trailOf(context);
    const now = clock();
    const recent = [];
    for await (const r of trail.search({ since: now - DAY }, { limit: OVERVIEW_RECORDS, newestFirst: true })) recent.push(r);
    const [tally, report] = await Promise.all([trail.tally({ since: daysSince(now, context.timeZone) }), sources.report()]);
    return overview({ recent, limit: OVERVIEW_RECORDS, tally, sources: report, now, timeZone: context.timeZone });
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
        input: request.body as Readable,
        format,
        store: store.registry,
        hasher: registryHasher(keys),
        now: new Date(clock()),
        replace,
        atomic: true,
        // A file whose every row is refused must not empty the registry the checks answer from.
        refuseEmptyReplace: true,
      });
      Object.assign(request.detail, { read: summary.read, imported: summary.imported, duplicates: summary.duplicates, rejected: summary.rejected });
      return { summary };
    } catch (error) {
      if (error instanceof RegistryFileError) throw new ConsoleError(400, 'bad_file', `${error.message}; nothing was imported`);
      throw error;
    }
  });

  /** The subject's ID number from a POSTed body (never a URL), checked and canonical; the log keeps its mask. */
  const subject = (request: FastifyRequest): { idNumber: string; body: Record<string, unknown> } => {
    const body = fields(request);
    const checked = validateIdNumber(text(body.idNumber, 'idNumber', 40), new Date(clock()));
    if (!checked.ok) throw new ConsoleError(400, 'invalid', `not a valid ID number (${checked.invalid.reason})`);
    request.detail = { idNumber: maskIdNumber(checked.idNumber) };
    return { idNumber: checked.idNumber, body };
  };
  const deps = (): SubjectDeps => ({
    trail: trailOf(context),
    registry: store.registry,
    sources: store.sources,
    keys,
    hasher: context.hasher,
    cache: context.cache,
    sharedCache: context.sharedCache,
  });
  const lookedUp = (idNumber: string) => ({ hash: { factor: 'idNumber', value: context.hasher.hash('idNumber', idNumber) } });

  // What `realname subject report|erase` do (src/audit/subject.ts), each recorded in the audit's chain too.
  app.post('/api/subjects/report', { config: { rule: { action: 'subjects.report', admin: true } } }, async (request) => {
    const { idNumber } = subject(request);
    const d = deps();
    await recordAccess(d.trail, 'console subject report', lookedUp(idNumber), consoleOperator(request));
    return subjectReport(d, { idNumber });
  });

  app.post('/api/subjects/erase', { config: { rule: { action: 'subjects.erase', admin: true } } }, async (request) => {
    const { idNumber, body } = subject(request);
    if (body.confirm !== true) throw new ConsoleError(400, 'unconfirmed', 'an erasure must be confirmed');
    const d = deps();
    const by = { ...consoleOperator(request), command: 'console subject erase' };
    await recordAccess(d.trail, 'console subject erase', lookedUp(idNumber), by);
    const result = await subjectErase(d, { idNumber }, by);
    Object.assign(request.detail!, { registryRows: result.registryRows, cachedAnswers: result.cachedAnswers, auditRecords: result.auditRecords });
    return result;
  });
}
