import type { ImportResult, RegistryReplace, RegistryRow } from './types.ts';

/**
 * Decides an import batch's conflicts in batch order: a row conflicts when its person is known, on
 * file or from an earlier row of the batch, with another name hash. `nameOnFile` takes the hex of
 * an ID hash.
 */
export function splitConflicts(
  rows: RegistryRow[],
  nameOnFile: (id: string) => Buffer | undefined,
): { accepted: RegistryRow[]; conflicts: number[] } {
  const nameInBatch = new Map<string, Buffer>();
  const accepted: RegistryRow[] = [];
  const conflicts: number[] = [];
  rows.forEach((r, index) => {
    const id = r.idHash.toString('hex');
    const name = nameInBatch.get(id) ?? nameOnFile(id);
    if (name && !name.equals(r.nameHash)) return void conflicts.push(index);
    nameInBatch.set(id, r.nameHash);
    accepted.push(r);
  });
  return { accepted, conflicts };
}

export interface Stage {
  importBatch(rows: RegistryRow[]): Promise<ImportResult> | ImportResult;
  /** Makes the stage the whole registry, atomically. */
  swap(): Promise<void> | void;
  drop(): Promise<void> | void;
}

/** A registry replace over a backend's stage: once committed or aborted, it refuses further use. */
export function guardedReplace(stage: Stage): RegistryReplace {
  let done = false;
  const live = () => {
    if (done) throw new Error('This registry replace was already committed or aborted');
  };
  return {
    async importBatch(rows) {
      live();
      return stage.importBatch(rows);
    },
    async commit() {
      live();
      // No turn of the event loop between a synchronous swap and `done`.
      const swapped = stage.swap();
      if (swapped) await swapped;
      done = true;
    },
    async abort() {
      if (done) return;
      done = true;
      await stage.drop();
    },
  };
}
