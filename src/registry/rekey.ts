import type { StoreKeys } from '../keys/ring.ts';
import type { RegistryCursor, RegistryRow, RegistryStore } from '../store/types.ts';

export interface RekeyProgress {
  keyId: string;
  /** Rows moved to the current key so far (this run). */
  moved: number;
}

/** Rows per transaction: short enough that a serving process's writes never wait long behind one. */
export const REKEY_BATCH = 2000;

/**
 * Moves every registry row made under an old key to the current key, a batch per transaction, by
 * translating its hashes (no plaintext needed). Streaming: one batch in memory. Resumable: a moved
 * row is gone from the old key, so a run that stops anywhere is finished by running it again.
 * Returns the rows moved per key.
 */
export async function rekeyRegistry(
  store: RegistryStore,
  keys: StoreKeys,
  options: { batchSize?: number; onProgress?: (p: RekeyProgress) => void } = {},
): Promise<Map<string, number>> {
  const to = keys.currentId;
  const batchSize = options.batchSize ?? REKEY_BATCH;
  const moved = new Map<string, number>();
  for (const from of keys.liveIds().filter((id) => id !== to)) {
    let count = 0;
    // Passes until one finds nothing: an import that began before the rotation may still add rows under the old key.
    for (let found = true; found; ) {
      found = false;
      let after: RegistryCursor | undefined;
      for (;;) {
        const rows = await store.rowsByKey(from, batchSize, after);
        if (rows.length === 0) break;
        found = true;
        await store.rekey(rows.map((row) => ({ from: row, to: translated(row, keys, to) })));
        count += rows.length;
        options.onProgress?.({ keyId: from, moved: count });
        const last = rows[rows.length - 1]!;
        after = { idHash: last.idHash, cardHash: last.cardHash };
      }
    }
    moved.set(from, count);
  }
  return moved;
}

function translated(row: RegistryRow, keys: StoreKeys, to: string): RegistryRow {
  const t = (hash: Buffer) => keys.translate(hash, row.keyId, to);
  return {
    idHash: t(row.idHash),
    nameHash: t(row.nameHash),
    cardHash: row.cardHash && t(row.cardHash),
    phoneHash: row.phoneHash && t(row.phoneHash),
    keyId: to,
    normVersion: row.normVersion,
  };
}
