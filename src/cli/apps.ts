import { Command } from 'commander';
import type { App, AppPatch } from '../store/types.ts';
import { openRuntime } from '../runtime.ts';
import type { Tenants } from '../access/tenants.ts';
import { CHECK_KINDS } from '../core/factors.ts';
import { checkKinds, cidrList, configFrom, positiveNumber, wholeNumber, withDataOptions } from './options.ts';

async function withTenants<T>(options: Record<string, unknown>, work: (tenants: Tenants) => Promise<T>): Promise<T> {
  const runtime = openRuntime(configFrom(options));
  try {
    return await work(runtime.services.tenants);
  } finally {
    await runtime.close();
  }
}

/** What `apps list/show` print: never a secret key or appkey, which are shown once, at creation. */
function publicView(app: App) {
  return {
    appid: app.appid,
    name: app.name,
    bucket: app.bucket,
    buckets: app.buckets,
    qps: app.qps,
    quota: app.quota,
    checks: app.checks,
    ip: app.ipAllow,
    dailyPerId: app.dailyPerId,
    dailyPerName: app.dailyPerName,
    suspended: app.suspended,
    replayGuard: app.replayGuard,
    createdAt: new Date(app.createdAt).toISOString(),
  };
}

const LIFTED = Symbol('no limit');

const DAILY_PER_ID = 'checks of one ID number a day (Asia/Shanghai) in the Tencent Cloud FaceID dialect (default unlimited)';
const DAILY_PER_NAME = 'checks of one name a day (Asia/Shanghai) in the Tencent Cloud FaceID dialect (default unlimited)';

function orLifted<T>(word: string, parse: (value: string) => T): (value: string) => T | typeof LIFTED {
  return (value) => (value === word ? LIFTED : parse(value));
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function appsCommand(): Command {
  const apps = new Command('apps').description('tenants: apps, their credentials and limits');

  withDataOptions(apps.command('create'))
    .description('create an app; prints its credentials once (secretKey and appkey are not shown again)')
    .requiredOption('--name <name>', 'display name')
    .option('--qps <n>', 'requests per second (default unlimited)', positiveNumber)
    .option('--quota <n>', 'billed checks it may make (default unlimited)', wholeNumber)
    .option('--checks <kinds>', `permitted check kinds, comma-separated: ${CHECK_KINDS.join(', ')} (default all)`, checkKinds)
    .option('--bucket <bucket>', 'default bucket (default "default")')
    .option('--ip <cidrs>', 'client address allow-list, e.g. 10.0.0.0/8,192.0.2.7 (default any)', cidrList)
    .option('--daily-per-id <n>', DAILY_PER_ID, positiveNumber)
    .option('--daily-per-name <n>', DAILY_PER_NAME, positiveNumber)
    .option('--json', 'print one JSON object')
    .action(async (options) => {
      const created = await withTenants(options, (tenants) =>
        tenants.create({
          name: options.name,
          qps: options.qps ?? null,
          quota: options.quota ?? null,
          checks: options.checks ?? null,
          bucket: options.bucket,
          ipAllow: options.ip ?? null,
          dailyPerId: options.dailyPerId ?? null,
          dailyPerName: options.dailyPerName ?? null,
        }),
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(created)}\n`);
        return;
      }
      process.stdout.write(
        `app ${created.appid} (${created.name}) created\n` +
          `  bucket     ${created.bucket}\n  secretId   ${created.secretId}\n  secretKey  ${created.secretKey}\n` +
          `  appkey     ${created.appkey}\nKeep secretKey and appkey now: they are not shown again.\n`,
      );
    });

  withDataOptions(apps.command('list'))
    .description('list apps')
    .action(async (options) => {
      const list = await withTenants(options, (tenants) => tenants.list());
      print(list.map(publicView));
    });

  withDataOptions(apps.command('show'))
    .description("show an app and its secret ids")
    .argument('<appid>')
    .action(async (appid: string, options) => {
      const view = await withTenants(options, async (tenants) => {
        const app = await tenants.require(appid);
        const secrets = await tenants.listSecrets(appid);
        return {
          ...publicView(app),
          secrets: secrets.map((s) => ({ secretId: s.secretId, revoked: s.revoked, createdAt: new Date(s.createdAt).toISOString() })),
        };
      });
      print(view);
    });

  for (const [name, suspended] of [['suspend', true], ['resume', false]] as const) {
    withDataOptions(apps.command(name))
      .description(suspended ? 'suspend an app (arrears): its requests get "account abnormal"' : 'resume a suspended app')
      .argument('<appid>')
      .action(async (appid: string, options) => {
        const app = await withTenants(options, (tenants) => tenants.update(appid, { suspended }));
        print(publicView(app));
      });
  }

  withDataOptions(apps.command('set'))
    .description('change limits; --quota sets the remaining balance; "unlimited" or "any" lifts a limit')
    .argument('<appid>')
    // commander turns a parser's null into '', so "no limit" travels as LIFTED and becomes null below
    .option('--qps <n>', 'requests per second, or "unlimited"', orLifted('unlimited', positiveNumber))
    .option('--quota <n>', 'remaining balance, or "unlimited"', orLifted('unlimited', wholeNumber))
    .option('--checks <kinds>', `permitted check kinds (${CHECK_KINDS.join(', ')}), or "all"`, orLifted('all', checkKinds))
    .option('--ip <cidrs>', 'allow-list, or "any"', orLifted('any', cidrList))
    .option('--daily-per-id <n>', `${DAILY_PER_ID}, or "unlimited"`, orLifted('unlimited', positiveNumber))
    .option('--daily-per-name <n>', `${DAILY_PER_NAME}, or "unlimited"`, orLifted('unlimited', positiveNumber))
    .action(async (appid: string, options) => {
      const patch: AppPatch = {};
      const value = <T,>(v: T | typeof LIFTED) => (v === LIFTED ? null : v);
      if (options.qps !== undefined) patch.qps = value(options.qps);
      if (options.quota !== undefined) patch.quota = value(options.quota);
      if (options.checks !== undefined) patch.checks = value(options.checks);
      if (options.ip !== undefined) patch.ipAllow = value(options.ip);
      if (options.dailyPerId !== undefined) patch.dailyPerId = value(options.dailyPerId);
      if (options.dailyPerName !== undefined) patch.dailyPerName = value(options.dailyPerName);
      const app = await withTenants(options, (tenants) => tenants.update(appid, patch));
      print(publicView(app));
    });

  const secrets = apps.command('secrets').description("an app's signing secrets");
  withDataOptions(secrets.command('add'))
    .description('add a secret (rotation); prints it once')
    .argument('<appid>')
    .action(async (appid: string, options) => {
      print(await withTenants(options, (tenants) => tenants.addSecret(appid)));
    });
  withDataOptions(secrets.command('revoke'))
    .description('revoke a secret: requests signed with it get code 11')
    .argument('<appid>')
    .argument('<secretId>')
    .action(async (appid: string, secretId: string, options) => {
      await withTenants(options, (tenants) => tenants.revokeSecret(appid, secretId));
      print({ appid, secretId, revoked: true });
    });
  return apps;
}
