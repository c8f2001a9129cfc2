import { PROBLEMS, problemType, type ProblemName } from './problems.ts';
import { READ_SCHEMA } from './read.ts';
import { AUDITED_CHECK, BATCH, CHECK, CHECK_REQUEST, PROBLEM } from './schemas.ts';

/** The schemas the routes use, as components: `$id` becomes the component's name. */
const COMPONENTS = [CHECK_REQUEST, CHECK, AUDITED_CHECK, BATCH, PROBLEM] as const;

const ref = (schema: { $id: string }) => ({ $ref: `#/components/schemas/${schema.$id}` });
const withoutId = ({ $id: _id, ...schema }: { $id: string } & Record<string, unknown>) => schema;

/** The problems each route may answer, by status: their types listed, so a client knows what to expect. */
function problems(names: readonly ProblemName[]): Record<string, object> {
  const byStatus = new Map<number, ProblemName[]>();
  for (const name of names) byStatus.set(PROBLEMS[name].status, [...(byStatus.get(PROBLEMS[name].status) ?? []), name]);
  return Object.fromEntries(
    [...byStatus].sort(([a], [b]) => a - b).map(([status, list]) => [
      String(status),
      {
        description: list.map((n) => `\`${problemType(n)}\`: ${PROBLEMS[n].when}`).join('; '),
        ...(list.some((n) => 'retryAfter' in PROBLEMS[n]) ? { headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } } } : {}),
        content: { 'application/problem+json': { schema: ref(PROBLEM) } },
      },
    ]),
  );
}

const BATCH_ID = { name: 'id', in: 'path', required: true, schema: { type: 'string' } } as const;

const AUTH_PROBLEMS = ['api_key_missing', 'api_key_malformed', 'api_key_invalid', 'api_key_revoked', 'app_suspended', 'ip_denied'] as const;
const CHECK_PROBLEMS: readonly ProblemName[] = [
  ...AUTH_PROBLEMS,
  'bad_request',
  'body_too_large',
  'unsupported_media_type',
  'invalid_request',
  'idempotency_key_reused',
  'idempotency_in_progress',
  'kind_not_permitted',
  'rate_limited',
  'daily_limited',
  'quota_exhausted',
  'source_unavailable',
  'internal',
];

/** OpenAPI 3.1 of /v1, made of the very schemas the routes validate and serialise with. */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Realname REST API',
      version,
      description:
        'Do these identity factors belong together? Bearer API keys (`realname apps keys add APPID`); refusals are RFC 9457 problems. ' +
        'A bearer call is not single-use: send an Idempotency-Key to make a retry safe (the first answer is kept 24 h and billed once).',
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    paths: {
      '/v1/checks': {
        post: {
          operationId: 'createCheck',
          summary: 'Run one check',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'A retry with the same key within 24 h gets the first answer, billed once; the same key with another body is 422.',
              schema: { type: 'string', minLength: 1, maxLength: 255 },
            },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: ref(CHECK_REQUEST) } } },
          responses: {
            200: { description: 'The verdict (invalid factors too: verdict `invalid`, unbilled)', content: { 'application/json': { schema: ref(CHECK) } } },
            ...problems(CHECK_PROBLEMS),
          },
        },
      },
      '/v1/checks/{id}': {
        get: {
          operationId: 'getCheck',
          summary: 'Read a check back from the audit (masked)',
          parameters: [{ name: 'id', in: 'path', required: true, description: READ_SCHEMA.params.properties.id.description, schema: { type: 'string' } }],
          responses: {
            200: { description: 'The check as the audit holds it', content: { 'application/json': { schema: ref(AUDITED_CHECK) } } },
            ...problems([...AUTH_PROBLEMS, 'check_not_found']),
          },
        },
      },
      '/v1/batches': {
        post: {
          operationId: 'createBatch',
          summary: 'Upload a file of checks (streamed); answered once it is read',
          parameters: [{ name: 'kind', in: 'query', required: false, description: 'The kind of every row (else each row names its own).', schema: { type: 'string', enum: CHECK_REQUEST.properties.kind.enum } }],
          requestBody: {
            required: true,
            content: {
              'text/csv': { schema: { type: 'string', description: 'A header line naming kind, name, idNumber, bankCard, phone; one row a line.' } },
              'application/x-ndjson': { schema: { type: 'string', description: 'One JSON object a line: flat factors, or {"kind","factors":{…}}.' } },
              'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
            },
          },
          responses: {
            202: { description: 'The batch, running', content: { 'application/json': { schema: ref(BATCH) } } },
            ...problems([...AUTH_PROBLEMS, 'bad_request', 'unsupported_media_type', 'invalid_request', 'kind_not_permitted', 'batch_too_large', 'batches_unavailable']),
          },
        },
      },
      '/v1/batches/{id}': {
        get: {
          operationId: 'getBatch',
          summary: 'A batch’s state, rows, counts by verdict, rows/s and ETA',
          parameters: [BATCH_ID],
          responses: { 200: { description: 'The batch', content: { 'application/json': { schema: ref(BATCH) } } }, ...problems([...AUTH_PROBLEMS, 'batch_not_found', 'batches_unavailable']) },
        },
        delete: {
          operationId: 'cancelBatch',
          summary: 'Cancel a batch: no further row is checked, its input is deleted',
          parameters: [BATCH_ID],
          responses: { 200: { description: 'The batch, cancelled', content: { 'application/json': { schema: ref(BATCH) } } }, ...problems([...AUTH_PROBLEMS, 'batch_not_found', 'batches_unavailable']) },
        },
      },
      '/v1/batches/{id}/results': {
        get: {
          operationId: 'getBatchResults',
          summary: 'The results in input order, streamed as rows finish (JSONL, or CSV with format=csv)',
          parameters: [BATCH_ID, { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['jsonl', 'csv'] } }],
          responses: {
            200: {
              description: 'One result a line: its line number and the check’s Outcome (masked factors), or why the row is not a check',
              content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } },
            },
            ...problems([...AUTH_PROBLEMS, 'batch_not_found', 'batches_unavailable']),
          },
        },
      },
    },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'rn_live_<key id>_<secret>' } },
      schemas: Object.fromEntries(COMPONENTS.map((s) => [s.$id, withoutId(s as unknown as { $id: string } & Record<string, unknown>)])),
    },
  };
}
