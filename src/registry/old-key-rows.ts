import type { RegistryStore } from '../store/types.ts';

/**
 * Rows still under a master key being rotated out, as [key id, rows], or undefined when there are none.
 * An import (not a replace) refuses to mix keys: `keys rewrap` moves those rows first.
 */
export async function oldKeyRows(registry: RegistryStore, keys: { currentId: string; liveIds(): readonly string[] }): Promise<[string, number] | undefined> {
  const old = keys.liveIds().filter((id) => id !== keys.currentId);
  if (old.length === 0) return undefined;
  const counts = await registry.countByKey();
  return old.map((id) => [id, counts.get(id) ?? 0] as [string, number]).find(([, n]) => n > 0);
}

export const oldKeyRowsText = ([id, n]: [string, number]): string =>
  `the registry still holds ${n.toLocaleString('en')} rows under master key ${id} (rotated out): run realname keys rewrap first, or import the whole registry with --replace`;
