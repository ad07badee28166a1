/**
 * Reading the progress table without Dexie. Every page shows progress (sidebar, chapter header,
 * paper controls), and Dexie alone is ~33 kB of gzipped JavaScript — over half the chapter page's
 * budget. Reads need none of it: this opens the database at whatever version it has, never
 * creates or upgrades it (Dexie does that on the first write, src/storage/progress.ts), and closes
 * the connection at once so it never blocks another tab's upgrade.
 */
import { parsePaperProgress } from '../progress/schema';
import type { PaperProgress } from '../progress/types';

/** DB_NAME of src/storage/db.ts, repeated so this module does not pull in Dexie (a test checks). */
export const DATABASE_NAME = 'residual';
const PROGRESS_STORE = 'progress';

/**
 * An error named as src/storage/errors.ts classifies it (that module is not imported here, to keep
 * chapter pages small), with the browser's own error inside.
 */
function openError(message: string, name: string, inner: unknown): Error {
  return Object.assign(new Error(message), { name, inner });
}

/** Opens the existing database, or resolves null when there is none yet. */
export function openExisting(factory: IDBFactory): Promise<IDBDatabase | null> {
  return new Promise((resolve, reject) => {
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(DATABASE_NAME);
    } catch (error) {
      reject(openError('IndexedDB could not be opened', 'StorageOpenError', error));
      return;
    }
    let absent = false;
    request.onupgradeneeded = () => {
      // Only a database that does not exist yet gets here (no version was asked for): abort, so
      // that nothing is created and Dexie later creates it with the real schema.
      absent = true;
      request.transaction?.abort();
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = (event) => {
      event.preventDefault();
      if (absent) resolve(null);
      else reject(openError('IndexedDB could not be opened', 'StorageOpenError', request.error));
    };
    request.onblocked = () =>
      reject(openError('IndexedDB is blocked by another tab', 'BlockedError', null));
  });
}

/** The stored progress: the well-formed rows, and how many were damaged (left out, not lost). */
export interface ReadProgress {
  rows: PaperProgress[];
  damaged: number;
}

/**
 * Every well-formed progress row, and a count of the damaged ones, which are left out (the
 * statistics page lists them, to repair or remove). Rejects when IndexedDB is missing or refused
 * (some private windows).
 */
export async function readProgress(
  factory: IDBFactory | undefined = globalThis.indexedDB,
): Promise<ReadProgress> {
  if (!factory) throw new Error('IndexedDB is not available in this browser');
  const db = await openExisting(factory);
  if (!db) return { rows: [], damaged: 0 };
  try {
    if (!db.objectStoreNames.contains(PROGRESS_STORE)) return { rows: [], damaged: 0 };
    const raw = await new Promise<unknown[]>((resolve, reject) => {
      const request = db
        .transaction(PROGRESS_STORE, 'readonly')
        .objectStore(PROGRESS_STORE)
        .getAll();
      request.onsuccess = () => resolve(request.result as unknown[]);
      request.onerror = () => reject(request.error ?? new Error('progress could not be read'));
    });
    const rows = raw.flatMap((row) => {
      try {
        return [parsePaperProgress(row)];
      } catch {
        return [];
      }
    });
    return { rows, damaged: raw.length - rows.length };
  } finally {
    db.close();
  }
}

/** Every well-formed progress row (see `readProgress`). */
export async function readProgressRows(
  factory: IDBFactory | undefined = globalThis.indexedDB,
): Promise<PaperProgress[]> {
  return (await readProgress(factory)).rows;
}
