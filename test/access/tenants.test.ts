import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Tenants } from '../../src/access/tenants.ts';
import { openStore, type Store } from '../../src/store/index.ts';

// Two Tenants on one SQLite file: `server` is the dialects' directory, `cli` another process's admin.
let dir: string;
let store: Store;
let other: Store;
const clock = { now: Date.UTC(2024, 5, 1) };
const sealKey = randomBytes(32);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'realname-tenants-'));
  store = openStore({ kind: 'sqlite', file: join(dir, 'realname.db') });
  other = openStore({ kind: 'sqlite', file: join(dir, 'realname.db') });
});
afterEach(async () => {
  await store.close();
  await other.close();
  rmSync(dir, { recursive: true, force: true });
});

const setup = (cacheTtlMs?: number) => ({
  server: new Tenants(store.apps, sealKey, () => clock.now, cacheTtlMs === undefined ? {} : { cacheTtlMs }),
  cli: new Tenants(other.apps, sealKey, () => clock.now),
});

describe('the tenant directory cache', () => {
  it('sees a suspension made by another process within 1 s, not before', async () => {
    const { server, cli } = setup();
    const app = await cli.create({ name: 'shop' });
    expect((await server.app(app.appid))?.suspended).toBe(false);
    await cli.update(app.appid, { suspended: true });
    clock.now += 999;
    expect((await server.app(app.appid))?.suspended).toBe(false);
    clock.now += 1;
    expect((await server.app(app.appid))?.suspended).toBe(true);
  });

  it('sees a revoked secret from another process within the TTL', async () => {
    const { server, cli } = setup(500);
    const app = await cli.create({ name: 'shop' });
    expect(await server.secret(app.secretId)).toMatchObject({ appid: app.appid, secretKey: app.secretKey, revoked: false });
    await cli.revokeSecret(app.appid, app.secretId);
    clock.now += 499;
    expect((await server.secret(app.secretId))?.revoked).toBe(false);
    clock.now += 1;
    expect((await server.secret(app.secretId))?.revoked).toBe(true);
  });

  it('applies its own changes at once', async () => {
    const { server } = setup();
    const app = await server.create({ name: 'shop', checks: ['idcard2'] });
    expect((await server.app(app.appid))?.checks).toEqual(['idcard2']);
    await server.update(app.appid, { checks: null, suspended: true });
    expect(await server.app(app.appid)).toMatchObject({ checks: null, suspended: true });
    const added = await server.addSecret(app.appid);
    expect((await server.secret(added.secretId))?.revoked).toBe(false);
    await server.revokeSecret(app.appid, added.secretId);
    expect((await server.secret(added.secretId))?.revoked).toBe(true);
  });

  it('does not remember unknown ids: an app created elsewhere answers at once', async () => {
    const { server, cli } = setup();
    expect(await server.app('1250000001')).toBeUndefined();
    const app = await cli.create({ name: 'shop' });
    expect((await server.app(app.appid))?.name).toBe('shop');
    expect((await server.secret(app.secretId))?.appid).toBe(app.appid);
  });

  it('with a TTL of 0 reads the store every time', async () => {
    const { server, cli } = setup(0);
    const app = await cli.create({ name: 'shop' });
    await server.app(app.appid);
    await cli.update(app.appid, { suspended: true });
    expect((await server.app(app.appid))?.suspended).toBe(true);
  });
});
