import type { FastifyInstance } from 'fastify';
import { publicView, secretView } from '../access/app-view.ts';
import { checkCidrs } from '../access/cidr.ts';
import { DAILY, parseLimit, QPS, QUOTA, UNLIMITED, type LimitRule } from '../access/limits.ts';
import { usageReport } from '../audit/usage.ts';
import { dayOf, monthBounds } from '../core/calendar.ts';
import { CHECK_KINDS, isCheckKind, type CheckKind } from '../core/factors.ts';
import type { AppPatch } from '../store/types.ts';
import type { ConsoleContext } from './context.ts';
import { ConsoleError, fields, text } from './http.ts';

type Params = { appid: string };

/** A limit as the CLI takes it: digits (a JSON number too) or the word "unlimited" (null is no word: a form's empty field must not lift a limit). */
function limit(rule: LimitRule, value: unknown): number | null {
  if (typeof value === 'number') return parseLimit(rule, String(value));
  if (typeof value !== 'string') throw new ConsoleError(400, 'invalid', `${rule.name} must be ${rule.text}`);
  return parseLimit(rule, text(value, rule.name, 40));
}

/** Check kinds: a list, or "all" / null for every kind. */
function kinds(value: unknown): CheckKind[] | null {
  if (value === null || value === 'all') return null;
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((k) => typeof k === 'string' && isCheckKind(k))) {
    throw new ConsoleError(400, 'invalid', `checks must be "all" or a list of ${CHECK_KINDS.join(', ')}`);
  }
  return list as CheckKind[];
}

/** An allow-list: CIDRs (a list, or comma-separated), or "any" / null for every address. */
function allowList(value: unknown): string[] | null {
  if (value === null || value === 'any') return null;
  const list = typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((c) => typeof c === 'string')) throw new ConsoleError(400, 'invalid', 'ip must be "any" or a list of addresses and CIDRs');
  return checkCidrs(list as string[]);
}

/** The limits a body sets, each checked by the rule the CLI's flags use. */
function patchFrom(body: Record<string, unknown>): AppPatch {
  const patch: AppPatch = {};
  if (body.qps !== undefined) patch.qps = limit(QPS, body.qps);
  if (body.quota !== undefined) patch.quota = limit(QUOTA, body.quota);
  if (body.checks !== undefined) patch.checks = kinds(body.checks);
  if (body.ip !== undefined) patch.ipAllow = allowList(body.ip);
  if (body.dailyPerId !== undefined) patch.dailyPerId = limit(DAILY, body.dailyPerId);
  if (body.dailyPerName !== undefined) patch.dailyPerName = limit(DAILY, body.dailyPerName);
  return patch;
}

/** The apps page: what `realname apps` does, through the same Tenants. */
export function appRoutes(app: FastifyInstance, context: ConsoleContext): void {
  const { tenants } = context;
  app.get('/api/apps', async () => {
    const apps = await tenants.list();
    // This calendar month's billed, unbilled and refused per app: what `realname usage` invoices.
    const month = monthBounds(dayOf(context.clock(), context.timeZone).slice(0, 7), context.timeZone);
    const usage = context.trail
      ? new Map((await usageReport({ trail: context.trail, apps: context.store.apps, sources: context.store.sources }, { ...month, timeZone: context.timeZone })).apps.map((u) => [u.appid, u]))
      : new Map();
    return {
      apps: await Promise.all(
        apps.map(async (a) => {
          const u = usage.get(a.appid);
          return { ...publicView(a), secrets: (await tenants.listSecrets(a.appid)).map(secretView), month: u ? { billed: u.billed, unbilled: u.unbilled, refused: u.refused } : null };
        }),
      ),
    };
  });

  app.post('/api/apps', { config: { rule: { action: 'apps.create', admin: true } } }, async (request) => {
    const body = fields(request);
    const name = text(body.name, 'name', 64);
    const patch = patchFrom(body);
    request.detail = { name, ...patch };
    const created = await tenants.create({ name, ...patch, checks: patch.checks ?? null, ipAllow: patch.ipAllow ?? null });
    request.detail.appid = created.appid;
    // The only time secretKey and appkey leave the store: the page shows them once and forgets them.
    return { created };
  });

  for (const [verb, suspended] of [['suspend', true], ['resume', false]] as const) {
    app.post<{ Params: Params }>(`/api/apps/:appid/${verb}`, { config: { rule: { action: `apps.${verb}`, admin: true } } }, async (request) => ({
      app: publicView(await tenants.update(request.params.appid, { suspended })),
    }));
  }

  app.post<{ Params: Params }>('/api/apps/:appid/limits', { config: { rule: { action: 'apps.set', admin: true } } }, async (request) => {
    const body = fields(request);
    const patch = patchFrom(body);
    request.detail = { ...patch };
    if (Object.keys(patch).length === 0) throw new ConsoleError(400, 'invalid', 'nothing to set: give at least one of qps, quota, checks, ip, dailyPerId, dailyPerName');
    // The quota is what is left, billed down as checks run: a form opened before them must not credit them back.
    if (patch.quota !== undefined && body.expectedQuota !== undefined) {
      const expected = limit(QUOTA, body.expectedQuota);
      const current = (await tenants.require(request.params.appid)).quota;
      if (current !== expected) throw new ConsoleError(409, 'quota_changed', `the quota left is now ${current ?? UNLIMITED}, not ${expected ?? UNLIMITED}: checks were billed since the form was opened; reload and set it again`);
    }
    return { app: publicView(await tenants.update(request.params.appid, patch)) };
  });

  app.post<{ Params: Params }>('/api/apps/:appid/secrets', { config: { rule: { action: 'apps.secrets.add', admin: true } } }, async (request) => {
    const added = await tenants.addSecret(request.params.appid);
    request.detail = { secretId: added.secretId };
    return { added };
  });

  app.post<{ Params: Params & { secretId: string } }>(
    '/api/apps/:appid/secrets/:secretId/revoke',
    { config: { rule: { action: 'apps.secrets.revoke', admin: true } } },
    async (request) => {
      request.detail = { secretId: request.params.secretId };
      await tenants.revokeSecret(request.params.appid, request.params.secretId);
      return { revoked: true };
    },
  );

  app.post<{ Params: Params }>('/api/apps/:appid/appkey', { config: { rule: { action: 'apps.appkey.rotate', admin: true } } }, async (request) => ({
    rotated: await tenants.rotateAppkey(request.params.appid),
  }));
}
