import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openApiDocument } from './openapi.ts';

/** The API's version in the document: the package's. */
const VERSION = '0.1.0';

/** swagger-ui's files, from the package installed beside Realname: the docs page loads nothing from elsewhere. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Realname REST API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body>
</html>
`;
const INIT = `window.ui = SwaggerUIBundle({ url: '/v1/openapi.json', dom_id: '#ui', deepLinking: true });\n`;

/** GET /v1/openapi.json (the OpenAPI 3.1 document) and /docs (swagger-ui over it, served from the package). */
export function docsRoutes(instance: FastifyInstance): void {
  const document = JSON.stringify(openApiDocument(VERSION));
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cached = new Map<string, Buffer>();
  instance.get('/v1/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(document));
  instance.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  instance.get('/docs/init.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(INIT));
  instance.get<{ Params: { asset: string } }>('/docs/:asset', async (request, reply) => {
    const type = Object.hasOwn(ASSETS, request.params.asset) ? ASSETS[request.params.asset] : undefined;
    if (type === undefined) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    let body = cached.get(request.params.asset);
    if (!body) cached.set(request.params.asset, (body = readFileSync(join(dist, request.params.asset))));
    return reply.type(type).header('cache-control', 'public, max-age=86400').send(body);
  });
}
