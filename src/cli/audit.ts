import { Command, InvalidArgumentError, Option } from 'commander';
import { factorHasher, chainKey } from '../audit/lookup.ts';
import { currentOperator, recordAccess } from '../audit/operator.ts';
import { purgeOlderThan } from '../audit/retention.ts';
import { type AuditQuery, auditLine, exportAudit, searchAudit, toFilter } from '../audit/search.ts';
import { parseHead, verifyAudit } from '../audit/verify.ts';
import { EVENTS_CHAIN } from '../store/audit-chain.ts';
import { canonicalCheckId } from '../core/check-id.ts';
import { CHECK_KINDS } from '../core/factors.ts';
import type { Runtime } from '../runtime.ts';
import type { AuditTrail } from '../store/types.ts';
import { checkSpan, dashOnly, days, MIN_RETENTION_DAYS, DIALECT_NAMES, dialectOption, FACTOR_FLAGS, kindOption, factorFromStdin, moment, refusalOption, resolveMoment, verdictOption } from './audit-options.ts';
import { canAsk, confirm } from './confirm.ts';
import { CliError, UsageError } from './errors.ts';
import { positiveNumber, withDataOptions } from './options.ts';
import { withRuntime } from './runtime.ts';

/** The store's audit as a whole; the memory store has none (the CLI never opens one). */
export function trailOf(runtime: Runtime): AuditTrail {
  const trail = runtime.store.auditTrail;
  if (!trail) throw new CliError(`the ${runtime.store.kind} store keeps no searchable audit`);
  return trail;
}

/**
 * `appid` names an app the store has, or had: a deleted app's records stay reportable. Anything else
 * (a typo, a malformed appid) is an error rather than a report of zeros that reads like "no checks".
 */
export async function requireKnownApp(runtime: Runtime, trail: AuditTrail, appid: string): Promise<void> {
  if (await runtime.store.apps.get(appid)) return;
  for await (const _ of trail.search({ appid }, { limit: 1 })) return;
  throw new CliError(`no app ${appid} (realname apps list shows the apps)`);
}

function withFilters(command: Command): Command {
  command
    .option('--app <appid>', 'one app')
    .option('--since <when>', 'from this moment: YYYY-MM-DD (that day in timeZone), an ISO time, or 7d (days ago)', moment)
    .option('--until <when>', 'before this moment (same forms)', moment)
    .addOption(new Option('--verdict <verdict>', 'match, mismatch, not_found, invalid or unavailable').argParser(verdictOption).conflicts('refusal'))
    .addOption(new Option('--refusal <reason>', 'a refusal reason (the gate\'s closed set)').argParser(refusalOption))
    .option('--dialect <name>', `one dialect: ${DIALECT_NAMES.join(', ')}`, dialectOption)
    .option('--kind <kind>', `one check kind: ${CHECK_KINDS.join(', ')}`, kindOption)
    .option('--check-id <id>', 'one check (32 hex or the UUID form)', (v) => {
      if (!/^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.test(v.trim())) throw new InvalidArgumentError('expected 32 hex digits or a UUID');
      return canonicalCheckId(v.trim());
    });
  for (const [flag, , factor] of FACTOR_FLAGS) command.option(flag, `records about the person with this ${factor}: must be "-" (read from stdin, hashed, never kept)`, dashOnly);
  return command;
}

async function queryOf(command: Command, options: Record<string, unknown>, runtime: Runtime, factor: AuditQuery['factor']): Promise<AuditQuery> {
  const now = Date.now();
  const zone = runtime.config.timeZone;
  const query: AuditQuery = {};
  if (options.app !== undefined) query.appid = String(options.app);
  if (options.since !== undefined) query.since = resolveMoment(command, String(options.since), zone, now);
  if (options.until !== undefined) query.until = resolveMoment(command, String(options.until), zone, now);
  if (query.since !== undefined && query.until !== undefined) checkSpan(command, { text: String(options.since), at: query.since }, { text: String(options.until), at: query.until });
  if (options.verdict !== undefined) query.verdict = String(options.verdict);
  if (options.refusal !== undefined) query.refusal = String(options.refusal);
  if (options.dialect !== undefined) query.dialect = String(options.dialect);
  if (options.kind !== undefined) query.kind = String(options.kind);
  if (options.checkId !== undefined) query.checkId = String(options.checkId);
  if (factor) query.factor = factor;
  return query;
}

/** Waits for stdout to take `text` (a pipe to a slow reader holds the export, not memory). */
const writeOut = (text: string): Promise<void> | void => {
  if (process.stdout.write(text)) return;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
};

export function auditCommand(): Command {
  const audit = new Command('audit').description('the audit log: search, export, verify its chain, purge past retention');

  withFilters(withDataOptions(audit.command('search')))
    .description('records matching every filter given, newest first')
    .option('--limit <n>', 'at most this many (default 100)', positiveNumber)
    .option('--json', 'one JSON object a line')
    .action(async (options, command: Command) => {
      const factor = await factorFromStdin(command, options);
      await withRuntime(options, 'existing', async (runtime) => {
        const trail = trailOf(runtime);
        const hasher = factorHasher(runtime.keys.pepper);
        const query = await queryOf(command, options, runtime, factor);
        if (query.appid !== undefined) await requireKnownApp(runtime, trail, query.appid);
        // Who looked, at what (a factor as its keyed hash only), before anything is shown.
        await recordAccess(trail, 'audit search', toFilter(query, hasher));
        const limit: number = options.limit ?? 100;
        let n = 0;
        // One past the limit is read, to tell whether the list was cut short.
        for await (const view of searchAudit(trail, hasher, query, { limit: limit + 1, newestFirst: true })) {
          if (n === limit) {
            process.stderr.write(`realname: the newest ${n} record(s); more match (--limit N shows more, audit export all of them)\n`);
            return;
          }
          await writeOut(options.json ? `${JSON.stringify(view)}\n` : `${auditLine(view)}\n`);
          n++;
        }
        if (!options.json) process.stderr.write(`realname: ${n} record(s)\n`);
      });
    });

  withFilters(withDataOptions(audit.command('export')))
    .description('every matching record, oldest first, streamed to stdout')
    .addOption(new Option('--format <format>', 'jsonl or csv').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--json', 'the same as --format jsonl (one JSON object a line)')
    .action(async (options, command: Command) => {
      if (options.json && command.getOptionValueSource('format') === 'cli' && options.format !== 'jsonl') throw new UsageError(command, '--json is --format jsonl: give one of them');
      const factor = await factorFromStdin(command, options);
      await withRuntime(options, 'existing', async (runtime) => {
        const trail = trailOf(runtime);
        const hasher = factorHasher(runtime.keys.pepper);
        const query = await queryOf(command, options, runtime, factor);
        if (query.appid !== undefined) await requireKnownApp(runtime, trail, query.appid);
        await recordAccess(trail, 'audit export', { ...toFilter(query, hasher), format: options.format });
        const n = await exportAudit(trail, hasher, query, options.format, writeOut);
        process.stderr.write(`realname: exported ${n} record(s)\n`);
      });
    });

  withDataOptions(audit.command('verify'))
    .description('check the chain: exit 0 intact, 3 broken (the first altered, inserted or missing batch), 1 could not verify')
    .option('--since <when>', 'only batches from this moment on', moment)
    .option('--expect-head <head>', 'a head recorded earlier (chain:n:mac, from an earlier verify); repeat for several chains', (v: string, list: string[] = []) => {
      if (!parseHead(v)) throw new InvalidArgumentError('expected chain:n:mac as verify prints it');
      return [...list, v.trim()];
    })
    .option('--json', 'one JSON object')
    .action(async (options, command: Command) => {
      const report = await withRuntime(options, 'existing', async (runtime) => {
        const trail = trailOf(runtime);
        const since = options.since === undefined ? undefined : resolveMoment(command, String(options.since), runtime.config.timeZone, Date.now());
        const result = await verifyAudit(trail, chainKey(runtime.keys.pepper), { ...(since !== undefined ? { since } : {}), expectHeads: options.expectHead ?? [] });
        // What it found, heads included: a later verify holds the chains to them (a batch chain and the
        // events chain always leave a resume point when purged; an old command's one-event chain may not).
        await recordAccess(trail, 'audit verify', { since: since ?? null, expectHeads: options.expectHead ?? [], intact: result.intact, records: result.records, heads: result.heads.filter((h) => h.batches > 0 || h.chain === EVENTS_CHAIN).map((h) => h.head) });
        return result;
      });
      if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else if (report.intact) {
        process.stdout.write(`intact, ${report.records} records${report.legacy ? ` (${report.legacy} from before the chain, unprovable)` : ''}\n`);
        // The writers' chains and the events chain; a command's own one-event chain (as older versions
        // wrote them) is counted, not listed.
        const legacy = report.heads.filter((h) => h.batches === 0 && h.chain !== EVENTS_CHAIN);
        for (const head of report.heads) if (!legacy.includes(head)) process.stdout.write(`head ${head.head}\n`);
        if (legacy.length > 0) process.stdout.write(`and ${legacy.length} command chain(s) of an older version (--json lists their heads)\n`);
      } else {
        process.stdout.write(`broken: ${report.breaks[0]!.message}\n`);
        if (report.breaks.length > 1) process.stdout.write(`(${report.breaks.length - 1} more break(s); --json lists them)\n`);
      }
      process.exitCode = report.intact ? 0 : 3;
    });

  withDataOptions(audit.command('purge'))
    .description('remove records older than N calendar days (whole batches), with a purge event in the chain')
    .requiredOption('--older-than <days>', `e.g. 400d (at least ${MIN_RETENTION_DAYS}d, the six-month legal minimum, unless --force)`, days)
    .option('--force', `purge records younger than ${MIN_RETENTION_DAYS} days too`)
    .option('--yes', 'do not ask (required when not on a terminal)')
    .option('--json', 'one JSON object')
    .action(async (options, command: Command) => {
      if (options.olderThan < MIN_RETENTION_DAYS && !options.force) {
        throw new UsageError(command, `--older-than ${options.olderThan}d is under the six-month minimum the Cybersecurity Law asks (${MIN_RETENTION_DAYS}d): pass --force to purge anyway`);
      }
      if (!options.yes && !canAsk()) throw new UsageError(command, 'a purge removes audit records for good: confirm with --yes (on a terminal, without --yes, you are asked)');
      const result = await withRuntime(options, 'existing', async (runtime) => {
        const trail = trailOf(runtime);
        if (!options.yes && !(await confirm(`Remove every audit record older than ${options.olderThan} days, for good?`))) throw new CliError('not purged: nothing was removed');
        const by = { ...currentOperator(), command: 'audit purge', olderThanDays: options.olderThan };
        await recordAccess(trail, 'audit purge', { olderThanDays: options.olderThan });
        return purgeOlderThan(trail, options.olderThan, Date.now(), runtime.config.timeZone, by);
      });
      const view = { before: new Date(result.before).toISOString(), records: result.records, batches: result.batches };
      process.stdout.write(options.json ? `${JSON.stringify(view)}\n` : `purged ${view.records} record(s) in ${view.batches} batch(es) from before ${view.before}\n`);
    });
  return audit;
}
