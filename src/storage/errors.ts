/** Storage failures, each with a message a user can act on. */

/** The card changed (another tab reviewed it, or a sync retired it) since it was shown. */
export class StaleCardError extends Error {
  override name = 'StaleCardError';
  constructor(readonly cardId: string) {
    super('This card was just answered or changed in another tab, so this answer was not applied.');
  }
}

export class CardNotFoundError extends Error {
  override name = 'CardNotFoundError';
  constructor(readonly cardId: string) {
    super(`No card with the id "${cardId}" is stored in this browser.`);
  }
}

/**
 * Opening the database failed. Carries the browser's error as `inner`, so the problem is still
 * classified by it (a full disk, a newer version), and otherwise says that the open failed rather
 * than that a save did.
 */
export class StorageOpenError extends Error {
  override name = 'StorageOpenError';
  constructor(readonly inner: unknown) {
    super('The database could not be opened.');
  }
}

export type StorageProblem =
  | 'unavailable'
  | 'quota'
  | 'newer-version'
  | 'upgraded-elsewhere'
  | 'blocked'
  | 'open-failed'
  | 'stale'
  | 'unknown';

/** The kind of storage problem behind an error, looking through Dexie's wrapping. */
export function classifyStorageError(error: unknown): StorageProblem {
  if (error instanceof StaleCardError) return 'stale';
  const names = new Set<string>();
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const name = (current as { name?: unknown }).name;
    if (typeof name === 'string') names.add(name);
    const { inner, cause } = current as { inner?: unknown; cause?: unknown };
    current = inner ?? cause;
  }
  if (names.has('QuotaExceededError')) return 'quota';
  if (names.has('VersionError')) return 'newer-version';
  if (names.has('DatabaseClosedError')) return 'upgraded-elsewhere';
  if (names.has('BlockedError')) return 'blocked';
  if (
    names.has('MissingAPIError') ||
    names.has('InvalidStateError') ||
    names.has('SecurityError') ||
    names.has('UnknownError') ||
    names.has('OpenFailedError')
  ) {
    return 'unavailable';
  }
  if (names.has('StorageOpenError')) return 'open-failed';
  return 'unknown';
}

const MESSAGES: Record<StorageProblem, string> = {
  unavailable:
    'This browser is not letting the site store data (IndexedDB is unavailable, as in some private windows). Reading works, but cards cannot be scheduled here.',
  quota:
    'The browser\u2019s storage for this site is full, so nothing was saved. Free some disk space (or export a backup and clear old data), then reload.',
  'newer-version':
    'A newer version of Residual is open in another tab and has upgraded the database. Reload this page to continue.',
  'upgraded-elsewhere':
    'Another tab upgraded the database to a newer version. Reload this page to continue; nothing was lost.',
  blocked:
    'Another tab of this site is still using an older version of its database, so this page cannot open it. Close or reload the other tabs of this site; this page continues by itself.',
  'open-failed':
    'The browser could not open this site\u2019s database, so cards and progress cannot be read or saved. Reload the page; if that does not help, restart the browser. Reading works meanwhile.',
  stale: 'This card was just answered or changed in another tab, so this answer was not applied.',
  unknown: 'Something went wrong while saving. Nothing was changed; try again.',
};

export function describeStorageError(error: unknown): string {
  return MESSAGES[classifyStorageError(error)];
}
