import type { StoreKeys } from '../keys/ring.ts';
import type { RegistryMatch, RegistryRow, RegistryStore } from '../store/types.ts';

/**
 * The registry as it reads while a key rotation is under way: rows made under every live key count.
 * Hashes come in as `hashedUnder` made them; for each other live key they are translated to what that
 * key made (src/keys/wrap.ts) and asked again, so a person on file under the old key still matches
 * before `realname keys rewrap` has moved them. With one live key (the usual case) every call passes
 * straight through. A row under a key this process does not hold cannot be read: the check fails as
 * unavailable (never billed) rather than answering "no record".
 */
export function keyedRegistry(inner: RegistryStore, keys: StoreKeys, hashedUnder: string): RegistryStore {
  const others = (): string[] | undefined => {
    const live = keys.liveIds();
    if (live.length === 1 && live[0] === hashedUnder) return undefined;
    const missing = live.filter((id) => !keys.ring.holds(id));
    if (missing.length > 0) throw new Error(`registry rows under master key ${missing.join(', ')} cannot be read: this node does not hold it`);
    return live.filter((id) => id !== hashedUnder);
  };
  const under = (hash: Buffer, to: string) => keys.translate(hash, hashedUnder, to);
  const own = (): string[] => (keys.liveIds().includes(hashedUnder) ? [hashedUnder] : []);

  return {
    ...inner,
    async match(idHash, nameHash, cardHash) {
      const rest = others();
      if (!rest) return inner.match(idHash, nameHash, cardHash);
      const total: RegistryMatch = { found: false, nameMatches: false, cardsOnFile: false, cardMatches: false };
      for (const id of [...own(), ...rest]) {
        const m = await inner.match(under(idHash, id), under(nameHash, id), cardHash === null ? null : under(cardHash, id));
        total.found ||= m.found;
        total.nameMatches ||= m.nameMatches;
        total.cardsOnFile ||= m.cardsOnFile;
        total.cardMatches ||= m.cardMatches;
        if (total.nameMatches && (cardHash === null || total.cardMatches)) break;
      }
      return total;
    },
    async lookup(idHash) {
      const rest = others();
      if (!rest) return inner.lookup(idHash);
      const rows: RegistryRow[] = [];
      for (const id of [...own(), ...rest]) rows.push(...(await inner.lookup(under(idHash, id))));
      return rows;
    },
    async remove(idHash) {
      const rest = others();
      if (!rest) return inner.remove(idHash);
      let removed = 0;
      for (const id of [...own(), ...rest]) removed += await inner.remove(under(idHash, id));
      return removed;
    },
  };
}
