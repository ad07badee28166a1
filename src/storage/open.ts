/** Opening the database in a page, with the failures a user can meet. */
import { ResidualDb, type DbOptions } from './db';
import { setDatabaseMark } from './database-mark';
import { StorageOpenError } from './errors';

export interface OpenOptions extends DbOptions {
  /** Called when another tab upgrades the schema: this connection is closed; ask to reload. */
  onUpgradeElsewhere?: () => void;
  /**
   * Called when the open (an upgrade, for instance) waits for another tab that keeps an older
   * version open. The open goes on by itself once that tab closes or reloads.
   */
  onBlocked?: () => void;
  /** Leave localStorage's first-visit mark alone (a worker has no localStorage). */
  markDatabase?: boolean;
}

/**
 * Open the database. Rejects (see `describeStorageError`) when IndexedDB is missing or refused,
 * when a newer version of the site already upgraded it, or when storage is full.
 */
export async function openDatabase(options: OpenOptions = {}): Promise<ResidualDb> {
  if (!options.indexedDB && typeof indexedDB === 'undefined') {
    throw Object.assign(new Error('IndexedDB is not available'), { name: 'MissingAPIError' });
  }
  const db = new ResidualDb(options);
  db.on('versionchange', (event: IDBVersionChangeEvent) => {
    // Dexie closes the connection so the other tab's upgrade can proceed; keep it closed, since
    // this page's code knows only the old schema.
    db.close({ disableAutoOpen: true });
    if (event.newVersion !== null && event.newVersion > 0) options.onUpgradeElsewhere?.();
    return false;
  });
  db.on('blocked', () => options.onBlocked?.());
  try {
    await db.open();
  } catch (error) {
    throw new StorageOpenError(error);
  }
  if (!options.indexedDB && options.markDatabase !== false) setDatabaseMark();
  return db;
}

export type PersistenceState = 'persistent' | 'best-effort' | 'unsupported';

/** Whether the browser has promised not to evict this site's data. */
export async function persistenceState(): Promise<PersistenceState> {
  if (typeof navigator === 'undefined' || !navigator.storage?.persisted) return 'unsupported';
  return (await navigator.storage.persisted()) ? 'persistent' : 'best-effort';
}

/** Ask for persistent storage; the browser may grant or refuse without asking the user. */
export async function requestPersistence(): Promise<PersistenceState> {
  if (typeof navigator === 'undefined' || !navigator.storage?.persist) return 'unsupported';
  return (await navigator.storage.persist()) ? 'persistent' : 'best-effort';
}
