import type { Store } from '../store/types.ts';
import { deriveKey } from './derive.ts';
import { keyProblem, KeyError, keyRecord, type KeyRing, StoreKeys, type StoreKeysOptions } from './ring.ts';
import { open } from './seal.ts';

export interface EstablishOptions extends StoreKeysOptions {
  now: number;
  /** Only the current key is needed (`realname keys` itself, which is how a rotation is finished). */
  currentOnly?: boolean;
}

/**
 * Checks the ring against the store's record of its keys and returns the keys to work with; throws
 * KeyError when they do not match. A store without a record (new, or made before stores recorded
 * their key) is claimed for the key its data was made with — never for a key that cannot read it.
 */
export async function establishKeys(store: Store, ring: KeyRing, options: EstablishOptions): Promise<StoreKeys> {
  let stored = await store.keys.list();
  if (stored.length === 0) {
    const firstId = await keyOfUnrecordedStore(store, ring);
    const pepper = deriveKey(ring.material(firstId), 'registry-hmac');
    stored = await store.keys.claim(keyRecord(ring, firstId, { wraps: false, pepper, now: options.now }));
  }
  const problem = keyProblem(ring, stored, options.currentOnly ? { currentOnly: true } : {});
  if (problem) throw new KeyError(problem);
  return new StoreKeys(ring, stored, options);
}

/** The held key an unrecorded store's data was made with (the newest held key when it has none). */
async function keyOfUnrecordedStore(store: Store, ring: KeyRing): Promise<string> {
  const ids = ring.ids();
  if (ids.length === 0) throw new KeyError(`no master key: set REALNAME_MASTER_KEY or provide the key file${ring.file ? ` ${ring.file}` : ''}`);
  const registryIds = [...(await store.registry.countByKey()).keys()];
  const foreign = registryIds.filter((id) => !ring.holds(id));
  if (foreign.length > 0) {
    throw new KeyError(
      `this store's registry was made with master key ${foreign.join(', ')}, but ${ring.origin} holds ${ring.describeIds()}: ` +
        'give this node the key the store was made with (copy its key file, or set REALNAME_MASTER_KEY)',
    );
  }
  const [app] = await store.apps.list();
  const opening = app ? ids.filter((id) => opens(ring, id, app.appkeySealed)) : ids;
  const candidates = registryIds.length > 0 ? opening.filter((id) => registryIds.includes(id)) : opening;
  const chosen = candidates.at(-1);
  if (!chosen) {
    throw new KeyError(
      `this store's sealed secrets do not open with ${ring.origin} (${ring.describeIds()}): ` +
        'give this node the key the store was made with (copy its key file, or set REALNAME_MASTER_KEY)',
    );
  }
  return chosen;
}

function opens(ring: KeyRing, keyId: string, sealed: string): boolean {
  try {
    open(ring.derive(keyId, 'secret-seal'), sealed);
    return true;
  } catch {
    return false;
  }
}
