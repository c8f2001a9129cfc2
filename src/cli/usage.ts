import { Command, Option } from 'commander';
import { recordAccess } from '../audit/operator.ts';
import { type AppUsage, type UsageReport, usageReport } from '../audit/usage.ts';
import { dayOf, monthBounds } from '../core/calendar.ts';
import { requireKnownApp, trailOf } from './audit.ts';
import { checkSpan, month, moment, resolveMoment } from './audit-options.ts';
import { UsageError } from './errors.ts';
import { withDataOptions } from './options.ts';
import { withRuntime } from './runtime.ts';

/** `row` says what a line counts: `total` (the app's), or the --by grouping its `group` is one of. */
const CSV_HEAD = 'appid,name,row,group,billed,unbilled,refused,quotaRemaining';

function csv(report: UsageReport, by: string | undefined): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : /[",\r\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const lines = [CSV_HEAD];
  for (const app of report.apps) {
    lines.push([app.appid, app.name, 'total', '', app.billed, app.unbilled, app.refused, app.deleted ? '' : (app.quotaRemaining ?? 'unlimited')].map(cell).join(','));
    for (const g of app.groups ?? []) lines.push([app.appid, app.name, by, g.key, g.billed, g.unbilled, g.refused, ''].map(cell).join(','));
  }
  return lines.join('\n');
}

function text(report: UsageReport): string {
  const quota = (a: AppUsage) => (a.deleted ? 'app deleted' : a.quotaRemaining === null ? 'unlimited' : String(a.quotaRemaining));
  const lines = [`usage from ${report.since} until ${report.until}`];
  for (const a of report.apps) {
    lines.push(`${a.appid} ${a.name ?? (a.deleted ? '(deleted)' : '')}: ${a.billed} billed, ${a.unbilled} unbilled, ${a.refused} refused; quota remaining ${quota(a)}`);
    for (const g of a.groups ?? []) lines.push(`  ${g.key}: ${g.billed} billed, ${g.unbilled} unbilled, ${g.refused} refused`);
  }
  for (const u of report.upstream) lines.push(`upstream ${u.source}: ${u.calls} call(s), ${u.errors} error(s), ${u.billed} billed, ¥${(u.costFen / 100).toFixed(2)}`);
  return lines.join('\n');
}

export function usageCommand(): Command {
  return withDataOptions(new Command('usage'))
    .description('billed checks, unbilled answers, refusals and remaining quota per app, from the audit records the quota was settled by')
    .option('--app <appid>', 'one app')
    .option('--month <yyyy-mm>', 'one calendar month in timeZone (default: this month)', month)
    .option('--since <when>', 'instead of --month: from this moment (YYYY-MM-DD, an ISO time, or 7d)', moment)
    .option('--until <when>', 'with --since: before this moment (default now)', moment)
    .addOption(new Option('--by <grouping>', 'also per day, kind, dialect or source').choices(['day', 'kind', 'dialect', 'source']))
    .addOption(new Option('--json', 'one JSON object per app a line').conflicts('csv'))
    .option('--csv', 'CSV: one row per app (and per group)')
    .action(async (options, command: Command) => {
      if (options.month !== undefined && (options.since !== undefined || options.until !== undefined)) throw new UsageError(command, '--month or --since/--until, not both');
      if (options.until !== undefined && options.since === undefined) throw new UsageError(command, '--until needs --since');
      const report = await withRuntime(options, 'existing', async (runtime) => {
        const zone = runtime.config.timeZone;
        const now = Date.now();
        const bounds =
          options.since !== undefined
            ? { since: resolveMoment(command, options.since, zone, now), until: options.until !== undefined ? resolveMoment(command, options.until, zone, now) : now }
            : monthBounds(options.month ?? dayOf(now, zone).slice(0, 7), zone);
        if (options.since !== undefined) checkSpan(command, { text: options.since, at: bounds.since }, { text: options.until ?? 'now', at: bounds.until });
        const trail = trailOf(runtime);
        if (options.app !== undefined) await requireKnownApp(runtime, trail, options.app);
        await recordAccess(trail, 'usage', { appid: options.app ?? null, since: bounds.since, until: bounds.until, by: options.by ?? null });
        return usageReport(
          { trail, apps: runtime.store.apps, sources: runtime.store.sources },
          { ...bounds, timeZone: zone, ...(options.app !== undefined ? { appid: options.app } : {}), ...(options.by ? { by: options.by } : {}) },
        );
      });
      if (options.json) {
        for (const app of report.apps) process.stdout.write(`${JSON.stringify({ ...app, since: report.since, until: report.until })}\n`);
      } else process.stdout.write(`${options.csv ? csv(report, options.by) : text(report)}\n`);
    });
}
