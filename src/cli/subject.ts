import { Command } from 'commander';
import { factorHasher } from '../audit/lookup.ts';
import { currentOperator, recordAccess } from '../audit/operator.ts';
import { subjectErase, subjectReport, type SubjectDeps } from '../audit/subject.ts';
import { auditLine } from '../audit/search.ts';
import type { Runtime } from '../runtime.ts';
import { trailOf } from './audit.ts';
import { dashOnly, readFactor } from './audit-options.ts';
import { UsageError } from './errors.ts';
import { withDataOptions } from './options.ts';
import { emit, withRuntime } from './runtime.ts';

function depsOf(runtime: Runtime): SubjectDeps {
  return {
    trail: trailOf(runtime),
    registry: runtime.store.registry,
    sources: runtime.store.sources,
    keys: runtime.keys,
    hasher: factorHasher(runtime.keys.pepper),
    cache: runtime.services.cache,
    sharedCache: runtime.store.resultCache?.shared === true,
  };
}

export function subjectCommand(): Command {
  const subject = new Command('subject').description("a person's requests: what is held about them, and its erasure");

  withDataOptions(subject.command('report'))
    .description('every audit record and registry row about one person, masked')
    .requiredOption('--id-number <dash>', 'must be "-": the ID number is read from stdin', dashOnly)
    .option('--json', 'one JSON object')
    .action(async (options, command: Command) => {
      const idNumber = await readFactor(command, 'idNumber');
      const report = await withRuntime(options, 'existing', async (runtime) => {
        const deps = depsOf(runtime);
        const result = await subjectReport(deps, idNumber);
        await recordAccess(deps.trail, 'subject report', { hash: { factor: 'idNumber', value: deps.hasher.hash('idNumber', idNumber) } });
        return result;
      });
      emit(options, report, () =>
        [
          `person ${report.idNumber}`,
          `registry: ${report.registry.rows} row(s) (${report.registry.withCard} with a bank card, ${report.registry.withPhone} with a phone)`,
          `audit: ${report.records.length} record(s)`,
          ...report.records.map((r) => `  ${auditLine(r)}`),
          ...report.erasures.map((e) => `erased at ${e.at}: ${e.records} record(s) anonymised`),
          ...report.lookups.map((l) => `looked up at ${l.at} by ${JSON.stringify(l.by)} (${l.command})`),
        ].join('\n'),
      );
    });

  withDataOptions(subject.command('erase'))
    .description("erase one person: registry rows, cached answers, and their audit records' masks and hashes (the records stay, anonymised)")
    .requiredOption('--id-number <dash>', 'must be "-": the ID number is read from stdin', dashOnly)
    .option('--yes', 'required: erasure cannot be undone (stdin holds the ID number, so no question can be asked there)')
    .option('--json', 'one JSON object')
    .action(async (options, command: Command) => {
      const idNumber = await readFactor(command, 'idNumber');
      if (!options.yes) throw new UsageError(command, 'erasure cannot be undone: pass --yes');
      const result = await withRuntime(options, 'existing', async (runtime) => {
        const deps = depsOf(runtime);
        const by = { ...currentOperator(), command: 'subject erase' };
        await recordAccess(deps.trail, 'subject erase', { hash: { factor: 'idNumber', value: deps.hasher.hash('idNumber', idNumber) } }, by);
        return subjectErase(deps, idNumber, by);
      });
      emit(options, result, () => `erased ${result.idNumber}: ${result.registryRows} registry row(s), cached answers: ${result.cachedAnswers}, ${result.auditRecords} audit record(s) anonymised`);
    });
  return subject;
}
