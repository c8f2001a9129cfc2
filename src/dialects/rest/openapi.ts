import { PROBLEMS, problemType, type ProblemName } from './problems.ts';
import { READ_SCHEMA } from './read.ts';
import { AUDITED_CHECK, CHECK, CHECK_REQUEST, PROBLEM } from './schemas.ts';

/** The schemas the routes use, as components: `$id` becomes the component's name. */
const COMPONENTS = [CHECK_REQUEST, CHECK, AUDITED_CHECK, PROBLEM] as const;

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
    },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'rn_live_<key id>_<secret>' } },
      schemas: Object.fromEntries(COMPONENTS.map((s) => [s.$id, withoutId(s as unknown as { $id: string } & Record<string, unknown>)])),
    },
  };
}
