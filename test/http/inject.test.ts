import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../../src/server.ts';
import { assembleServices } from '../../src/service/assemble.ts';
import { openMemoryStore } from '../../src/store/memory.ts';

/** The answer hold must not wait for a body that was already read when there is no socket at all (inject). */
describe('answers to injected requests', () => {
  it('come back for a body that was read, one that was not, and none', async () => {
    const store = openMemoryStore();
    const server = buildServer({ services: assembleServices({ store, masterKey: randomBytes(32) }), store });
    try {
      const read = await server.inject({ method: 'POST', url: '/auth/idcard', headers: { 'content-type': 'application/json' }, payload: '{"appid":"1"}' });
      const unread = await server.inject({ method: 'POST', url: '/factor/idcard', headers: { 'content-type': 'json' }, payload: 'x'.repeat(100) });
      const none = await server.inject({ method: 'GET', url: '/healthz' });
      expect([read.json().code, unread.json().code, none.json().status]).toEqual([21, '1209', 'ok']);
    } finally {
      await server.close();
    }
  });
});
