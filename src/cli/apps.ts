import { Command, InvalidArgumentError } from 'commander';
import type { App, AppPatch, Secret } from '../store/types.ts';
import type { Tenants } from '../access/tenants.ts';
import { publicView, secretView } from '../access/app-view.ts';
import { DAILY, LimitError, parseLimit, QPS, QUOTA, type LimitRule } from '../access/limits.ts';
import { CHECK_KINDS } from '../core/factors.ts';
import type { Runtime } from '../runtime.ts';
import { CliError, UsageError } from './errors.ts';
import { checkKinds, cidrList, withDataOptions } from './options.ts';
import { emit, withRuntime } from './runtime.ts';
import { apiKeysCommand } from './api-keys.ts';

type Options = Record<string, unknown> & { json?: boolean };

const existing = <T,>(options: Options, work: (tenants: Tenants, runtime: Runtime) => Promise<T>) =>
  withRuntime(options, 'existing', (runtime) => work(runtime.services.tenants, runtime));

const number = (n: number) => n.toLocaleString('en');

function appText(app: App, secrets?: Secret[]): string {
  const lines = [`app ${app.appid} (${app.name})${app.suspended ? ' — suspended' : ''}`];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(14)} ${value}`);
  row('buckets', app.buckets.map((b) => (b === app.bucket ? `${b} (default)` : b)).join(', '));
  row('qps', app.qps === null ? 'unlimited' : number(app.qps));
  row('quota', app.quota === null ? 'unlimited' : `${number(app.quota)} left`);
  row('checks', app.checks === null ? 'all' : app.checks.join(', '));
  row('ip', app.ipAllow === null ? 'any' : app.ipAllow.join(', '));
  row('daily per id', app.dailyPerId === null ? 'unlimited' : `${number(app.dailyPerId)} a day`);
  row('daily per name', app.dailyPerName === null ? 'unlimited' : `${number(app.dailyPerName)} a day`);
  row('replay guard', app.replayGuard ? 'on' : 'off');
  row('created', new Date(app.createdAt).toISOString());
  for (const s of secrets ?? []) row('secret', `${s.secretId}${s.revoked ? ' (revoked)' : ''}, added ${new Date(s.createdAt).toISOString()}`);
  return lines.join('\n');
}

function listText(apps: App[]): string {
  if (apps.length === 0) return 'no apps (realname apps create --name NAME adds one)';
  const rows = [['appid', 'name', 'qps', 'quota', 'checks', 'state'], ...apps.map((a) => [
    a.appid,
    a.name,
    a.qps === null ? 'unlimited' : number(a.qps),
    a.quota === null ? 'unlimited' : number(a.quota),
    a.checks === null ? 'all' : a.checks.join(','),
    a.suspended ? 'suspended' : 'active',
  ])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  return rows.map((r) => r.map((cell, i) => cell + ' '.repeat(widths[i]! - [...cell].length)).join('  ').trimEnd()).join('\n');
}

/** A limit flag: the value boxed, because "unlimited" is null and a parser cannot hand commander a null. */
interface Limit {
  limit: number | null;
}

const limitOption = (rule: LimitRule) => (value: string): Limit => {
  try {
    return { limit: parseLimit(rule, value) };
  } catch (error) {
    if (error instanceof LimitError) throw new InvalidArgumentError(error.message.replace(/, got .*$/, ''));
    throw error;
  }
};

const LIFTED = Symbol('no restriction');

const DAILY_PER_ID = 'checks of one ID number a day (Asia/Shanghai) in the Tencent Cloud FaceID dialect (default unlimited)';
const DAILY_PER_NAME = 'checks of one name a day (Asia/Shanghai) in the Tencent Cloud FaceID dialect (default unlimited)';

function orLifted<T>(word: string, parse: (value: string) => T): (value: string) => T | typeof LIFTED {
  return (value) => (value === word ? LIFTED : parse(value));
}

function onOff(value: string): boolean {
  if (value !== 'on' && value !== 'off') throw new InvalidArgumentError('expected on or off');
  return value === 'on';
}

const json = (command: Command) => command.option('--json', 'print one JSON object');

export function appsCommand(): Command {
  const apps = new Command('apps').description('tenants: apps, their credentials and limits');

  json(withDataOptions(apps.command('create')))
    .description('create an app (a new store when there is none); prints its credentials once: secretKey and appkey are not shown again')
    .requiredOption('--name <name>', 'name, unique among the apps')
    .option('--qps <n>', `requests per second: ${QPS.text} (default unlimited)`, limitOption(QPS))
    .option('--quota <n>', `billed checks it may make: ${QUOTA.text} (default unlimited)`, limitOption(QUOTA))
    .option('--checks <kinds>', `permitted check kinds, comma-separated: ${CHECK_KINDS.join(', ')} (default all)`, checkKinds)
    .option('--bucket <bucket>', 'default bucket (default "default")')
    .option('--ip <cidrs>', 'client address allow-list, e.g. 10.0.0.0/8,192.0.2.7 (default any)', cidrList)
    .option('--daily-per-id <n>', `${DAILY_PER_ID}: ${DAILY.text} (default unlimited)`, limitOption(DAILY))
    .option('--daily-per-name <n>', `${DAILY_PER_NAME}: ${DAILY.text} (default unlimited)`, limitOption(DAILY))
    .option('--replay-guard <on|off>', 'SUBMAIL: refuse a signature used twice inside the timestamp window (default on)', onOff)
    .action(async (options) => {
      const created = await withRuntime(options, 'create', (runtime) =>
        runtime.services.tenants.create({
          name: options.name,
          qps: (options.qps as Limit | undefined)?.limit ?? null,
          quota: (options.quota as Limit | undefined)?.limit ?? null,
          checks: options.checks ?? null,
          bucket: options.bucket,
          ipAllow: options.ip ?? null,
          dailyPerId: (options.dailyPerId as Limit | undefined)?.limit ?? null,
          dailyPerName: (options.dailyPerName as Limit | undefined)?.limit ?? null,
          ...(options.replayGuard === undefined ? {} : { replayGuard: options.replayGuard }),
        }),
      );
      emit(options, created, () =>
        `app ${created.appid} (${created.name}) created\n` +
          `  bucket     ${created.bucket}\n  secretId   ${created.secretId}\n  secretKey  ${created.secretKey}\n` +
          `  appkey     ${created.appkey}\nKeep secretKey and appkey now: they are not shown again.`,
      );
    });

  json(withDataOptions(apps.command('list')))
    .description('list the apps')
    .action(async (options) => {
      const list = await existing(options, (tenants) => tenants.list());
      emit(options, list.map(publicView), () => listText(list));
    });

  json(withDataOptions(apps.command('show')))
    .description('show an app and its secret ids')
    .argument('<appid>')
    .action(async (appid: string, options) => {
      const [app, secrets] = await existing(options, async (tenants) => [await tenants.require(appid), await tenants.listSecrets(appid)] as const);
      emit(options, { ...publicView(app), secrets: secrets.map(secretView) }, () => appText(app, secrets));
    });

  for (const [name, suspended] of [['suspend', true], ['resume', false]] as const) {
    json(withDataOptions(apps.command(name)))
      .description(suspended ? 'suspend an app (arrears): its requests get "account abnormal" / "disabled"' : 'resume a suspended app')
      .argument('<appid>')
      .action(async (appid: string, options) => {
        const app = await existing(options, (tenants) => tenants.update(appid, { suspended }));
        emit(options, publicView(app), () => appText(app));
      });
  }

  json(withDataOptions(apps.command('set')))
    .description('change limits; --quota sets the remaining balance; "unlimited", "all" or "any" lifts a limit')
    .argument('<appid>')
    .option('--qps <n>', `requests per second: ${QPS.text}`, limitOption(QPS))
    .option('--quota <n>', `remaining balance: ${QUOTA.text}`, limitOption(QUOTA))
    .option('--checks <kinds>', `permitted check kinds (${CHECK_KINDS.join(', ')}), or "all"`, orLifted('all', checkKinds))
    .option('--ip <cidrs>', 'allow-list, or "any"', orLifted('any', cidrList))
    .option('--daily-per-id <n>', `${DAILY_PER_ID}: ${DAILY.text}`, limitOption(DAILY))
    .option('--daily-per-name <n>', `${DAILY_PER_NAME}: ${DAILY.text}`, limitOption(DAILY))
    .option('--replay-guard <on|off>', 'SUBMAIL: refuse a signature used twice inside the timestamp window', onOff)
    .action(async (appid: string, options, command: Command) => {
      const patch: AppPatch = {};
      const value = <T,>(v: T | typeof LIFTED) => (v === LIFTED ? null : v);
      if (options.qps !== undefined) patch.qps = (options.qps as Limit).limit;
      if (options.quota !== undefined) patch.quota = (options.quota as Limit).limit;
      if (options.checks !== undefined) patch.checks = value(options.checks);
      if (options.ip !== undefined) patch.ipAllow = value(options.ip);
      if (options.dailyPerId !== undefined) patch.dailyPerId = (options.dailyPerId as Limit).limit;
      if (options.dailyPerName !== undefined) patch.dailyPerName = (options.dailyPerName as Limit).limit;
      if (options.replayGuard !== undefined) patch.replayGuard = options.replayGuard;
      if (Object.keys(patch).length === 0) throw new UsageError(command, 'nothing to set: give at least one of --qps, --quota, --checks, --ip, --daily-per-id, --daily-per-name, --replay-guard');
      const app = await existing(options, (tenants) => tenants.update(appid, patch));
      emit(options, publicView(app), () => appText(app));
    });

  json(withDataOptions(apps.command('rename')))
    .description('give an app another name (names are unique)')
    .argument('<appid>')
    .argument('<name>')
    .action(async (appid: string, name: string, options) => {
      const app = await existing(options, (tenants) => tenants.update(appid, { name }));
      emit(options, publicView(app), () => appText(app));
    });

  json(withDataOptions(apps.command('delete')))
    .description('delete an app and its secrets (its audit records stay); --force when it has made checks')
    .argument('<appid>')
    .option('--force', 'delete it even though the audit log holds checks it made')
    .action(async (appid: string, options) => {
      await existing(options, async (tenants, runtime) => {
        await tenants.require(appid);
        const [made] = await runtime.store.audit.query({ appid, limit: 1 });
        if (made && !options.force) {
          throw new CliError(`app ${appid} has checks in the audit log (the latest at ${new Date(made.at).toISOString()}); they stay, with its appid: pass --force to delete it anyway`);
        }
        await tenants.delete(appid);
      });
      emit(options, { appid, deleted: true }, () => `app ${appid} deleted`);
    });

  const buckets = apps.command('buckets').description("an app's buckets (Tencent image dialect)");
  for (const [name, add] of [['add', true], ['remove', false]] as const) {
    json(withDataOptions(buckets.command(name)))
      .description(add ? 'add a bucket to an app' : "remove a bucket (not the app's default)")
      .argument('<appid>')
      .argument('<bucket>')
      .action(async (appid: string, bucket: string, options) => {
        const app = await existing(options, (tenants) => (add ? tenants.addBucket(appid, bucket) : tenants.removeBucket(appid, bucket)));
        emit(options, publicView(app), () => appText(app));
      });
  }

  const appkey = apps.command('appkey').description("an app's SUBMAIL appkey");
  json(withDataOptions(appkey.command('rotate')))
    .description('issue a new appkey (printed once); the old one stops working within a second on a running server')
    .argument('<appid>')
    .action(async (appid: string, options) => {
      const rotated = await existing(options, (tenants) => tenants.rotateAppkey(appid));
      emit(options, rotated, () => `app ${appid}: new appkey ${rotated.appkey}\nKeep it now: it is not shown again.`);
    });

  const secrets = apps.command('secrets').description("an app's signing secrets (Tencent image dialect)");
  json(withDataOptions(secrets.command('add')))
    .description('add a secret (rotation); prints it once')
    .argument('<appid>')
    .action(async (appid: string, options) => {
      const added = await existing(options, (tenants) => tenants.addSecret(appid));
      emit(options, added, () => `app ${appid}: new secret\n  secretId   ${added.secretId}\n  secretKey  ${added.secretKey}\nKeep secretKey now: it is not shown again.`);
    });
  json(withDataOptions(secrets.command('revoke')))
    .description('revoke a secret: requests signed with it get code 11')
    .argument('<appid>')
    .argument('<secretId>')
    .action(async (appid: string, secretId: string, options) => {
      await existing(options, (tenants) => tenants.revokeSecret(appid, secretId));
      emit(options, { appid, secretId, revoked: true }, () => `app ${appid}: secret ${secretId} revoked`);
    });
  apiKeysCommand(apps);
  return apps;
}
