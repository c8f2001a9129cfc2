import { Command } from 'commander';
import { factorHasher } from '../audit/lookup.ts';
import { currentOperator, recordAccess } from '../audit/operator.ts';
import { operatorText, subjectErase, subjectReport, type SubjectDeps } from '../audit/subject.ts';
import { auditLine } from '../audit/search.ts';
import type { Runtime } from '../runtime.ts';
import { trailOf } from './audit.ts';
import { dashOnly, readPerson } from './audit-options.ts';
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

const PERSON_HELP = 'must be "-": stdin holds the ID number, then (optional) one of their bank cards or phones a line';

/** What an access event keeps of the person looked up: their ID number's hash, and how many cards and phones were given. */
const lookedUp = (deps: SubjectDeps, person: { idNumber: string; bankCards: string[]; phones: string[] }) => ({
  hash: { factor: 'idNumber', value: deps.hasher.hash('idNumber', person.idNumber) },
  bankCards: person.bankCards.length,
  phones: person.phones.length,
});

export function subjectCommand(): Command {
  const subject = new Command('subject').description("a person's requests: what is held about them, and its erasure");

  withDataOptions(subject.command('report'))
    .description('every audit record and registry row about one person, masked')
    .requiredOption('--id-number <dash>', PERSON_HELP, dashOnly)
    .option('--json', 'one JSON object')
    .action(async (options, command: Command) => {
      const person = await readPerson(command);
      const report = await withRuntime(options, 'existing', async (runtime) => {
        const deps = depsOf(runtime);
        const result = await subjectReport(deps, person);
        await recordAccess(deps.trail, 'subject report', lookedUp(deps, person));
        return result;
      });
      emit(options, report, () =>
        [
          `person ${report.idNumber}`,
          `registry: ${report.registry.rows} row(s) (${report.registry.withCard} with a bank card, ${report.registry.withPhone} with a phone)`,
          `audit: ${report.records.length} record(s) (searched by the ID number, ${report.foundBy.bankCards} bank card(s) and ${report.foundBy.phones} phone(s))`,
          ...report.records.map((r) => `  ${auditLine(r)}`),
          ...report.erasures.map((e) => `erased at ${e.at} by ${operatorText(e.by)}: ${e.records} record(s) anonymised`),
          ...report.lookups.map((l) => `looked up at ${l.at} by ${operatorText(l.by)} (${l.command})`),
        ].join('\n'),
      );
    });

  withDataOptions(subject.command('erase'))
    .description("erase one person: registry rows, cached answers, and their audit records' masks and hashes (the records stay, anonymised)")
    .requiredOption('--id-number <dash>', PERSON_HELP, dashOnly)
    .option('--yes', 'required: erasure cannot be undone (stdin holds the ID number, so no question can be asked there)')
    .option('--json', 'one JSON object')
    .action(async (options, command: Command) => {
      const person = await readPerson(command);
      if (!options.yes) throw new UsageError(command, 'erasure cannot be undone: pass --yes');
      const result = await withRuntime(options, 'existing', async (runtime) => {
        const deps = depsOf(runtime);
        const by = { ...currentOperator(), command: 'subject erase' };
        await recordAccess(deps.trail, 'subject erase', lookedUp(deps, person), by);
        return subjectErase(deps, person, by);
      });
      emit(options, result, () => `erased ${result.idNumber}: ${result.registryRows} registry row(s), cached answers: ${result.cachedAnswers}, ${result.auditRecords} audit record(s) anonymised`);
    });
  return subject;
}
