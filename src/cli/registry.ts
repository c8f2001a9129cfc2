import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar } from 'cli-progress';
import { generateIdentities } from '../core/synthetic.ts';
import { createRegistryHasher } from '../registry/hash.ts';
import { detectFormat, importRegistry, type ImportSummary } from '../registry/import.ts';
import { removePerson } from '../registry/remove.ts';
import { openRuntime } from '../runtime.ts';
import { CliError } from './errors.ts';
import { readAll } from './stdin.ts';
import { configFrom, positiveNumber, wholeNumber, withDataOptions } from './options.ts';

export function registryCommand(): Command {
  const registry = new Command('registry').description("the company's own records (stored as keyed hashes only)");

  withDataOptions(registry.command('import'))
    .description('import CSV (header name,idNumber,bankCard,phone) or JSONL; "-" reads stdin')
    .argument('<file>', 'file path or -')
    .option('--format <format>', 'csv or jsonl (default: by extension)', (v) => {
      if (v !== 'csv' && v !== 'jsonl') throw new InvalidArgumentError('expected csv or jsonl');
      return v;
    })
    .option('--rejects <file>', 'write rejected rows (line, field, reason) here')
    .option('--replace', 'replace the whole registry with this file, atomically')
    .action(async (file: string, options) => {
      const format = detectFormat(file, options.format);
      if (file !== '-' && !existsSync(file)) throw new CliError(`no such file: ${file}`);
      const runtime = openRuntime(configFrom(options));
      const rejects = options.rejects ? createWriteStream(options.rejects, { mode: 0o600 }) : undefined;
      const input: Readable = file === '-' ? process.stdin : createReadStream(file);
      const bar = progressBar(file);
      try {
        const summary = await importRegistry({
          input,
          format,
          store: runtime.store.registry,
          hasher: createRegistryHasher(runtime.masterKey),
          now: new Date(),
          replace: Boolean(options.replace),
          ...(rejects ? { rejects } : {}),
          onProgress: (p) => bar?.update(p.bytes, { rows: p.rows }),
        });
        bar?.stop();
        process.stdout.write(formatSummary(summary));
        if (summary.rejected > 0) process.exitCode = 1;
      } finally {
        bar?.stop();
        if (rejects) {
          rejects.end();
          await once(rejects, 'close');
        }
        await runtime.close();
      }
    });

  registry
    .command('generate')
    .description('write CSV of synthetic, structurally valid identities (deterministic for a seed)')
    .requiredOption('--count <n>', 'how many identities', positiveNumber)
    .option('--seed <s>', 'seed (default 1)', wholeNumber, 1)
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
    .description('remove one person (every row); the ID number is read from stdin so it stays out of shell history')
    .requiredOption('--id-number <value>', 'must be "-" (read from stdin)', (v) => {
      if (v !== '-') throw new InvalidArgumentError('pass "-" and write the ID number to stdin');
      return v;
    })
    .action(async (options) => {
      const idNumber = (await readAll(process.stdin)).trim();
      const runtime = openRuntime(configFrom(options));
      try {
        const removed = await removePerson({ store: runtime.store.registry, hasher: createRegistryHasher(runtime.masterKey), idNumber });
        process.stdout.write(`removed ${removed} row(s)\n`);
        if (removed === 0) process.exitCode = 1;
      } finally {
        await runtime.close();
      }
    });

  withDataOptions(registry.command('count'))
    .description('how many rows the registry holds')
    .action(async (options) => {
      const runtime = openRuntime(configFrom(options));
      try {
        process.stdout.write(`${await runtime.store.registry.count()}\n`);
      } finally {
        await runtime.close();
      }
    });
  return registry;
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

/** On a terminal only: bytes of the file read (a percentage when the size is known) and rows so far. */
function progressBar(file: string): SingleBar | undefined {
  if (!process.stderr.isTTY) return undefined;
  const size = file === '-' ? 0 : statSync(file).size;
  const bar = new SingleBar({
    format: size > 0 ? 'importing {bar} {percentage}% | {rows} rows' : 'importing | {rows} rows',
    stream: process.stderr,
    hideCursor: true,
  });
  bar.start(size, 0, { rows: 0 });
  return bar;
}

function formatSummary(s: ImportSummary): string {
  const lines = [`read ${s.read}, imported ${s.imported}, already present ${s.duplicates}, rejected ${s.rejected}`];
  for (const r of s.firstRejects) lines.push(`  line ${r.line}: ${r.reason}`);
  if (s.rejected > s.firstRejects.length) lines.push(`  … and ${s.rejected - s.firstRejects.length} more`);
  return `${lines.join('\n')}\n`;
}
