import { createReadStream, createWriteStream, existsSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar } from 'cli-progress';
import { generateIdentities } from '../core/synthetic.ts';
import { registryHasher } from '../registry/hash.ts';
import { detectFormat, importRegistry, RegistryFileError, type ImportSummary, type RegistryFormat } from '../registry/import.ts';
import { removePeople, type Removal } from '../registry/remove.ts';
import { oldKeyRows, oldKeyRowsText } from '../registry/old-key-rows.ts';
import type { Runtime } from '../runtime.ts';
import { canAsk, confirm } from './confirm.ts';
import { CliError, UsageError } from './errors.ts';
import { checkOutFile } from './out-file.ts';
import { readAll } from './stdin.ts';
import { positiveNumber, wholeNumber, withDataOptions } from './options.ts';
import { emit, notice, withRuntime } from './runtime.ts';

/** The file to import, checked before any store is opened: it exists, it is a file, its format is known. */
function checkInput(file: string, format: string | undefined): RegistryFormat {
  if (file !== '-') {
    if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
    if (statSync(file).isDirectory()) throw new CliError(`cannot import ${file}: it is a directory; name a .csv or .jsonl file (or - for stdin)`);
  }
  return detectFormat(file, format);
}

/** An import refuses to mix keys: rows under a key being rotated out are moved by `keys rewrap` first. */
async function checkNoOldKeyRows(runtime: Runtime): Promise<void> {
  const left = await oldKeyRows(runtime.store.registry, runtime.keys);
  if (left) throw new CliError(oldKeyRowsText(left));
}

export function registryCommand(): Command {
  const registry = new Command('registry').description("the company's own records (stored as keyed hashes only)");

  withDataOptions(registry.command('import'))
    .description('import CSV (header name,idNumber,bankCard,phone) or JSONL, all or nothing per file; "-" reads stdin')
    .argument('<file>', 'file path or -')
    .option('--format <format>', 'csv or jsonl (default: by the file name: .csv, .jsonl, .ndjson)', (v) => {
      if (v !== 'csv' && v !== 'jsonl') throw new InvalidArgumentError('expected csv or jsonl');
      return v;
    })
    .option('--rejects <file>', 'write rejected rows (line, field, reason) here')
    .option('--replace', 'replace the whole registry with this file, atomically (asks first; --yes when not on a terminal)')
    .option('--yes', 'with --replace: do not ask')
    .option('--json', 'print the summary as one JSON object')
    .action(async (file: string, options, command: Command) => {
      if (options.yes && !options.replace) throw new UsageError(command, '--yes confirms --replace and means nothing without it: a plain import asks nothing');
      const format = checkInput(file, options.format);
      if (options.rejects !== undefined) checkOutFile(command, '--rejects', options.rejects, 'the rejected rows');
      const ask = options.replace && !options.yes;
      if (ask && (file === '-' || !canAsk())) {
        throw new UsageError(command, '--replace swaps the whole registry for this file: confirm with --yes (on a terminal, without --yes, you are asked)');
      }
      await withRuntime(options, 'create', async (runtime) => {
        if (!options.replace) await checkNoOldKeyRows(runtime);
        if (ask) {
          const rows = await runtime.store.registry.count();
          if (!(await confirm(`Replace the whole registry (${rows.toLocaleString('en')} rows) with ${file}?`))) throw new CliError('not replaced: nothing was imported');
        }
        const summary = await importFile(runtime, file, format, options);
        emit(options, summary, () => formatSummary(summary));
        if (summary.rejected > 0) {
          // exit 1 alone says nothing to a person at the terminal (or to --json's reader): say what and where
          const where = options.rejects ? `written to ${options.rejects}` : 'not kept (pass --rejects FILE to write them to a file)';
          notice(`${summary.rejected.toLocaleString('en')} row${summary.rejected === 1 ? '' : 's'} rejected, ${where}`);
          process.exitCode = 1;
        }
      });
    });

  registry
    .command('generate')
    .description('write CSV of synthetic, structurally valid identities (deterministic for a seed)')
    .requiredOption('--count <n>', 'how many identities', positiveNumber)
    .option('--seed <s>', 'seed', wholeNumber, 1)
    .option('--out <file>', 'write here instead of stdout')
    .action(async (options) => {
      const out: Writable = options.out ? createWriteStream(options.out) : process.stdout;
      await writeIdentities(out, options.count, options.seed);
      if (options.out) {
        out.end();
        await once(out, 'close');
      }
    });

  withDataOptions(registry.command('remove'))
    .description('remove people (every row of each); ID numbers are read from stdin, one a line, so they stay out of shell history')
    .requiredOption('--id-number <value>', 'must be "-" (read them from stdin)', (v) => {
      if (v !== '-') throw new InvalidArgumentError('pass "-" and write the ID numbers to stdin, one a line');
      return v;
    })
    .option('--json', 'print one JSON object')
    .action(async (options, command: Command) => {
      const lines = (await readAll(process.stdin)).split(/\r?\n/);
      if (lines.every((l) => l.trim() === '')) throw new UsageError(command, 'no ID number on stdin: write them to stdin, one a line');
      const results = await withRuntime(options, 'existing', (runtime) =>
        removePeople({ store: runtime.store.registry, hasher: registryHasher(runtime.keys), lines, now: new Date() }),
      );
      const removed = results.reduce((n, r) => n + ('removed' in r ? r.removed : 0), 0);
      const notFound = results.filter((r) => 'removed' in r && r.removed === 0).length;
      const invalid = results.filter((r) => 'invalid' in r).length;
      emit(options, { removed, notFound, invalid, lines: results }, () => [...results.map(removalText), `removed ${removed} row(s); ${notFound} not on file, ${invalid} invalid`].join('\n'));
      if (notFound + invalid > 0) process.exitCode = 1;
    });

  withDataOptions(registry.command('count'))
    .description('how many rows the registry holds')
    .option('--json', 'print one JSON object')
    .action(async (options) => {
      const rows = await withRuntime(options, 'existing', (runtime) => runtime.store.registry.count());
      emit(options, { rows }, () => String(rows));
    });
  return registry;
}

function removalText(r: Removal): string {
  if ('invalid' in r) return `line ${r.line} (${r.idNumber}): not a valid ID number (${r.invalid}); nothing removed`;
  if (r.removed === 0) return `line ${r.line} (${r.idNumber}): not on file`;
  return `line ${r.line} (${r.idNumber}): removed ${r.removed} row${r.removed === 1 ? '' : 's'}`;
}

/**
 * The import itself: the whole file is read before the store is written (a malformed line imports
 * nothing), and the rejects file appears only once the import is done.
 */
async function importFile(runtime: Runtime, file: string, format: RegistryFormat, options: { rejects?: string; replace?: boolean }): Promise<ImportSummary> {
  const partial = options.rejects ? `${options.rejects}.partial` : undefined;
  // Opened now, before a row is imported: a rejects file that cannot be written fails the import up front.
  const rejects = partial && options.rejects ? createWriteStream('', { fd: openRejects(partial, options.rejects) }) : undefined;
  let bar: SingleBar | undefined;
  let done = false;
  try {
    const input: Readable = file === '-' ? process.stdin : createReadStream(file);
    bar = progressBar(file);
    const summary = await importRegistry({
      input,
      format,
      store: runtime.store.registry,
      hasher: registryHasher(runtime.keys),
      now: new Date(),
      replace: Boolean(options.replace),
      atomic: true,
      ...(rejects ? { rejects } : {}),
      onProgress: (p) => bar?.update(p.bytes, { phase: 'reading', rows: p.rows }),
      onWriteProgress: (p) => {
        bar?.setTotal(Math.max(1, p.of));
        bar?.update(p.rows, { phase: 'writing', rows: p.rows });
      },
    });
    done = true;
    return summary;
  } catch (error) {
    if (error instanceof RegistryFileError) throw new RegistryFileError(error.code, `${file === '-' ? 'stdin' : file}: ${error.message}; nothing was imported`);
    throw error;
  } finally {
    bar?.stop();
    if (rejects && partial && options.rejects) {
      rejects.end();
      await once(rejects, 'close');
      try {
        if (done) renameSync(partial, options.rejects);
      } finally {
        // never a .partial left behind, whatever failed
        rmSync(partial, { force: true });
      }
    }
  }
}

function openRejects(partial: string, file: string): number {
  try {
    return openSync(partial, 'w', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot write the rejects file ${file}: ${code === 'EACCES' ? 'permission denied' : code}; nothing was imported`);
  }
}

/** CSV lines (header first) of synthetic identities: what `registry generate` writes and the demo imports. */
export function* identityCsv(count: number, seed: number): Generator<string> {
  yield 'name,idNumber,bankCard,phone\n';
  for (const person of generateIdentities(count, seed)) {
    yield `${person.name},${person.idNumber},${person.bankCard},${person.phone}\n`;
  }
}

async function writeIdentities(out: Writable, count: number, seed: number): Promise<void> {
  for (const line of identityCsv(count, seed)) {
    if (!out.write(line)) await once(out, 'drain');
  }
}

/** On a terminal only: the file read (a percentage when its size is known), then the rows written. */
function progressBar(file: string): SingleBar | undefined {
  if (!process.stderr.isTTY) return undefined;
  const size = file === '-' ? 0 : statSync(file).size;
  const bar = new SingleBar({
    format: size > 0 ? '{phase} {bar} {percentage}% | {rows} rows' : '{phase} | {rows} rows',
    stream: process.stderr,
    hideCursor: true,
  });
  bar.start(size, 0, { phase: 'reading', rows: 0 });
  return bar;
}

function formatSummary(s: ImportSummary): string {
  const lines = [`read ${s.read}, imported ${s.imported}, already present ${s.duplicates}, rejected ${s.rejected}`];
  for (const r of s.firstRejects) lines.push(`  line ${r.line}: ${r.reason}`);
  if (s.rejected > s.firstRejects.length) lines.push(`  … and ${s.rejected - s.firstRejects.length} more`);
  return lines.join('\n');
}
