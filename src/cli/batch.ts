import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar } from 'cli-progress';
import { isCheckKind, type CheckKind } from '../core/index.ts';
import type { Batches, RowResult } from '../service/index.ts';
import type { BatchRecord } from '../store/types.ts';
import { CliError } from './errors.ts';
import { checkOutFile } from './out-file.ts';
import { withDataOptions, withServeOptions } from './options.ts';
import { emit, notice, withRuntime } from './runtime.ts';

type Options = Record<string, unknown> & { json?: boolean };

const kindOption = (value: string): CheckKind => {
  if (!isCheckKind(value)) throw new InvalidArgumentError('one of idcard2, bankcard2, bankcard3, bankcard4, phone3');
  return value;
};

const statusText = (r: BatchRecord) => {
  const counts = Object.entries(r.counts).map(([k, n]) => `${k} ${n}`).join(', ');
  return `batch ${r.batchId} (app ${r.appid}): ${r.state}, ${r.rowsDone.toLocaleString('en')}/${r.rowsTotal.toLocaleString('en')} rows${counts ? ` (${counts})` : ''}`;
};

const statusView = (r: BatchRecord) => ({ id: r.batchId, appid: r.appid, state: r.state, kind: r.kind, rows: { total: r.rowsTotal, done: r.rowsDone }, counts: r.counts });

function batchesOf(services: { batches?: Batches }): Batches {
  if (!services.batches) throw new CliError('this store keeps no batches (they run on SQLite and PostgreSQL)');
  return services.batches;
}

async function found(batches: Batches, id: string): Promise<BatchRecord> {
  const record = await batches.find(id);
  if (!record) throw new CliError(`no batch ${id} (or its 7 days passed)`);
  return record;
}

/** Writes every result, in input order, as JSONL. */
async function writeResults(batches: Batches, record: BatchRecord, out: NodeJS.WritableStream, follow = true): Promise<number> {
  let n = 0;
  for await (const row of batches.results(record, { follow }) as AsyncGenerator<RowResult>) {
    n++;
    if (!out.write(JSON.stringify(row) + '\n')) await once(out, 'drain');
  }
  return n;
}

/** Progress as the batch runs: a bar on a terminal, a plain line every few seconds otherwise. */
function progress(): { update(r: BatchRecord, rate: number): void; say(line: string): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({ format: 'batch {bar} {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true });
    let started = false;
    return {
      update(r, rate) {
        if (!started) bar.start(r.rowsTotal, r.rowsDone, { rate: 0 });
        started = true;
        bar.setTotal(r.rowsTotal);
        bar.update(r.rowsDone, { rate: Math.round(rate) });
      },
      // A line of its own below the bar: the bar is drawn again with the next update.
      say(line) {
        if (started) bar.stop();
        started = false;
        notice(line);
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update(r, rate) {
      if (Date.now() - last < 5000 && r.rowsDone < r.rowsTotal) return;
      last = Date.now();
      const eta = rate > 0 ? `, ETA ${Math.ceil((r.rowsTotal - r.rowsDone) / rate)} s` : '';
      notice(`batch ${r.batchId}: ${r.rowsDone}/${r.rowsTotal} rows (${Math.round(rate)} rows/s${eta})`);
    },
    say: notice,
    stop() {},
  };
}

const quotaWait = (r: BatchRecord) =>
  `batch ${r.batchId}: ${r.rowsDone}/${r.rowsTotal} rows, waiting for quota — app ${r.appid}'s quota is spent; ` +
  `set more with \`realname apps set ${r.appid} --quota N\` (N is the new balance) and it goes on (Ctrl-C stops waiting; the batch resumes under serve)`;

export function batchCommand(): Command {
  const batch = new Command('batch').description('batches of checks: a whole file, each row through the same checks as one request');

  withServeOptions(batch.command('run'))
    .description('checks every row of FILE (CSV with a header line, or JSONL) for an app, in this process, and writes the results in input order')
    .argument('<file>')
    .requiredOption('--app <appid>', 'the app the checks are made and billed for')
    .option('--kind <kind>', 'the kind of every row (else each row names its own in a kind column)', kindOption)
    .option('--format <format>', 'csv or jsonl (default: from the file name)')
    .option('--out <file>', 'where the results go, as JSONL (default stdout)')
    .option('--json', 'print the final status as one JSON object')
    .action(async (file: string, options: Options & { app: string; kind?: CheckKind; format?: string; out?: string }, command: Command) => {
      if (!existsSync(file)) throw new CliError(`no such file ${file}`);
      // Before a row is checked and billed: results with nowhere to go would be paid for and lost.
      if (options.out !== undefined) checkOutFile(command, '--out', options.out, 'the results');
      const format = options.format ?? (/\.csv$/i.test(file) ? 'csv' : /\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : undefined);
      if (format !== 'csv' && format !== 'jsonl') throw new CliError(`cannot tell the format of ${file}: give --format csv or --format jsonl`);
      const final = await withRuntime(options, 'existing', async ({ services }) => {
        const batches = batchesOf(services);
        await services.tenants.require(options.app);
        const created = await batches.create(options.app, options.kind ?? null, format, createReadStream(file));
        batches.start();
        const bar = progress();
        const started = Date.now();
        let record = created;
        let waiting = false;
        try {
          // A batch out of quota waits here (said once each time): it goes on once quota is set from another shell.
          while (record.state === 'running' || record.state === 'uploading' || record.state === 'quota_exhausted') {
            await new Promise((resolve) => setTimeout(resolve, 250));
            record = (await batches.find(created.batchId))!;
            if (record.state === 'quota_exhausted' && !waiting) bar.say(quotaWait(record));
            waiting = record.state === 'quota_exhausted';
            if (!waiting) bar.update(record, record.rowsDone / Math.max(0.001, (Date.now() - started) / 1000));
          }
        } finally {
          bar.stop();
          await batches.stop();
        }
        const out = options.out ? createWriteStream(options.out) : process.stdout;
        await writeResults(batches, record, out);
        if (options.out) await new Promise((resolve) => (out as ReturnType<typeof createWriteStream>).end(resolve));
        return record;
      });
      if (options.out || options.json) emit(options, statusView(final), () => statusText(final));
    });

  withDataOptions(batch.command('status'))
    .description("a batch's state, rows and counts by verdict")
    .argument('<batchId>')
    .option('--json', 'print one JSON object')
    .action(async (id: string, options: Options) => {
      const record = await withRuntime(options, 'existing', ({ services }) => found(batchesOf(services), id));
      emit(options, statusView(record), () => statusText(record));
    });

  withDataOptions(batch.command('results'))
    .description("a batch's results so far, in input order, as JSONL")
    .argument('<batchId>')
    .option('--out <file>', 'where they go (default stdout)')
    .action(async (id: string, options: Options & { out?: string }) => {
      await withRuntime(options, 'existing', async ({ services }) => {
        const batches = batchesOf(services);
        const record = await found(batches, id);
        const out = options.out ? createWriteStream(options.out) : process.stdout;
        // What is there now, without waiting for a batch another process runs.
        await writeResults(batches, record, out, false);
        if (options.out) await new Promise((resolve) => (out as ReturnType<typeof createWriteStream>).end(resolve));
      });
    });

  withDataOptions(batch.command('cancel'))
    .description('cancels a batch: no further row is checked; its input is deleted')
    .argument('<batchId>')
    .option('--json', 'print one JSON object')
    .action(async (id: string, options: Options) => {
      const record = await withRuntime(options, 'existing', async ({ services }) => {
        const batches = batchesOf(services);
        const existing = await found(batches, id);
        return (await batches.cancel(existing.appid, id))!;
      });
      emit(options, statusView(record), () => statusText(record));
    });
  return batch;
}
