import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { HttpLimits } from '../../src/http/index.ts';
import { buildServer } from '../../src/server.ts';
import { assembleServices } from '../../src/service/assemble.ts';
import { openMemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/types.ts';

/** The assembled house on an in-memory store, listening on loopback: for what the HTTP layer does on the wire. */
export async function listening(http?: Partial<HttpLimits>, store: Store = openMemoryStore()): Promise<{ server: FastifyInstance; port: number; close(): Promise<void> }> {
  const services = assembleServices({ store, masterKey: randomBytes(32) });
  const server = buildServer({ services, store, ...(http ? { http } : {}) });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  return { server, port: Number(new URL(url).port), close: () => server.close() };
}

/** One check route of each dialect and the code each answers to an oversize body. */
export const ROUTES = [
  { path: '/auth/idcard', tooLarge: 23 },
  { path: '/factor/idcard', tooLarge: '1224' },
] as const;

export function codeOf(body: Buffer): string {
  const json = JSON.parse(body.toString('utf8')) as { code?: unknown };
  return String(json.code);
}
