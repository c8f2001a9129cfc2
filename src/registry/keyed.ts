import type { StoreKeys } from '../keys/ring.ts';
import type { CardMatch, RegistryMatch, RegistryRow, RegistryStore } from '../store/types.ts';

/**
 * The registry as it reads while a key rotation is under way: rows made under every live key count.
 * Hashes come in as `hashedUnder` made them; for each other live key they are translated to what that
 * key made (src/keys/wrap.ts) and asked again, so a person on file under the old key still matches
 * before `realname keys rewrap` has moved them. With one live key (the usual case) every call passes
 * straight through. A row under a key this process does not hold cannot be read: the check fails as
 * unavailable (never billed) rather than answering "no record".
 *
 * Every read that takes hashes is here: a new one added to RegistryStore must be added here too, or
 * during a rotation it would not see the rows still under the old key.
 */
export function keyedRegistry(inner: RegistryStore, keys: StoreKeys, hashedUnder: string): RegistryStore {
  /** The keys to ask, this process's own first; undefined when that is the only one. */
  const askUnder = (): string[] | undefined => {
    const live = keys.liveIds();
    if (live.length === 1 && live[0] === hashedUnder) return undefined;
    const missing = live.filter((id) => !keys.ring.holds(id));
    if (missing.length > 0) throw new Error(`registry rows under master key ${missing.join(', ')} cannot be read: this node does not hold it`);
    return [...(live.includes(hashedUnder) ? [hashedUnder] : []), ...live.filter((id) => id !== hashedUnder)];
  };
  const under = (hash: Buffer, to: string) => keys.translate(hash, hashedUnder, to);
  const optional = <T extends Buffer | null | undefined>(hash: T, to: string): T => (hash ? (under(hash, to) as T) : hash);

  return {
    ...inner,
    async match(idHash, nameHash, cardHash, phoneHash) {
      const ids = askUnder();
      if (!ids) return inner.match(idHash, nameHash, cardHash, phoneHash);
      const total: RegistryMatch = { found: false, nameMatches: false, cardsOnFile: false, cardMatches: false };
      if (phoneHash !== undefined) Object.assign(total, { phonesOnFile: false, phoneMatches: false });
      for (const id of ids) {
        const m = await inner.match(under(idHash, id), under(nameHash, id), optional(cardHash, id), optional(phoneHash, id));
        total.found ||= m.found;
        total.nameMatches ||= m.nameMatches;
        total.cardsOnFile ||= m.cardsOnFile;
        total.cardMatches ||= m.cardMatches;
        if (phoneHash !== undefined) {
          total.phonesOnFile ||= m.phonesOnFile === true;
          total.phoneMatches ||= m.phoneMatches === true;
        }
        if (total.nameMatches && (cardHash === null || total.cardMatches) && (phoneHash === undefined || total.phoneMatches)) break;
      }
      return total;
    },
    async matchCard(cardHash, nameHash) {
      const ids = askUnder();
      if (!ids) return inner.matchCard(cardHash, nameHash);
      const total: CardMatch = { found: false, nameMatches: false };
      for (const id of ids) {
        const m = await inner.matchCard(under(cardHash, id), under(nameHash, id));
        total.found ||= m.found;
        total.nameMatches ||= m.nameMatches;
        if (total.nameMatches) break;
      }
      return total;
    },
    async lookup(idHash) {
      const ids = askUnder();
      if (!ids) return inner.lookup(idHash);
      const rows: RegistryRow[] = [];
      for (const id of ids) rows.push(...(await inner.lookup(under(idHash, id))));
      return rows;
    },
    async remove(idHash) {
      const ids = askUnder();
      if (!ids) return inner.remove(idHash);
      let removed = 0;
      for (const id of ids) removed += await inner.remove(under(idHash, id));
      return removed;
    },
  };
}
