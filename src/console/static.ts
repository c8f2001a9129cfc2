import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The front end's production build (`npm run build:console`, run by `npm ci`): beside src/ and dist/ alike. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

/**
 * Serves the built files, read once into memory (a few hundred KB): only names the build made are
 * answered, so no request path ever reaches the file system. Any other path is the page itself (the
 * front end routes by hash). No build: every page says how to make one.
 */
export function serveWeb(app: FastifyInstance, dir: string = WEB_DIST): void {
  let files: Map<string, WebFile>;
  try {
    files = new Map(
      filesUnder(dir).map((path) => {
        const body = readFileSync(path);
        const type = TYPES[extname(path)] ?? 'application/octet-stream';
        // Compressed once, here: the script is ~700 KB, ~200 KB gzipped.
        return [`/${relative(dir, path).split('\\').join('/')}`, { body, type, ...(/^text\/|svg|json/.test(type) ? { gzipped: gzipSync(body) } : {}) }];
      }),
    );
  } catch {
    files = new Map();
  }
  const index = files.get('/index.html');
  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    const file = path.startsWith('/assets/') ? files.get(path) : undefined;
    if (file) return send(request, reply.header('cache-control', 'public, max-age=31536000, immutable'), file);
    if (path.startsWith('/assets/') || path.startsWith('/api/')) return reply.code(404).send({ error: 'not_found', message: 'no such resource' });
    if (!index) return reply.code(503).type('text/plain; charset=utf-8').send('the console has not been built: run npm run build:console (npm ci does)\n');
    return send(request, reply.header('cache-control', 'no-store'), index);
  });
}

interface WebFile {
  body: Buffer;
  type: string;
  gzipped?: Buffer;
}

function send(request: FastifyRequest, reply: FastifyReply, file: WebFile): FastifyReply {
  reply.type(file.type).header('vary', 'accept-encoding');
  if (file.gzipped && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(file.gzipped);
  return reply.send(file.body);
}
