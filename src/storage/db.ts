/**
 * The browser database "residual" (Dexie over IndexedDB).
 *
 * Schema history lives in SCHEMA_VERSIONS, oldest first, and is never edited once shipped: a new
 * version appends an entry with the stores it adds or changes and, if rows must be rewritten, an
 * `upgrade`. Dexie runs every upgrade between the stored version and the newest, in order, in
 * the upgrade transaction, so an old database arrives with every record kept.
 *
 * Reading progress, for example, arrives as `{ version: 3, stores: { progress: 'paperId' } }` plus
 * a typed table property below — no upgrade needed for a new table.
 */
import { Dexie, type Table, type Transaction } from 'dexie';
import { queueOf } from '../srs/queue';
import type { Grade, ReviewLogEntry, StoredCard } from '../srs/types';
import type { PaperProgress } from '../progress/types';

export const DB_NAME = 'residual';

/** A key-value row: settings, the last synced deck version. */
export interface MetaRow {
  key: string;
  value: unknown;
}

/** One deck sync that changed something. */
export interface DeckVersionRow {
  version: string;
  syncedAt: number;
  cardCount: number;
  added: number;
  changed: number;
  retired: number;
}

/** What undo needs: the card exactly as it was before the review, and the log row to remove. */
export interface UndoEntry {
  logId: number;
  cardId: string;
  before: StoredCard;
  /** The card's revision right after the review; undo refuses if it has moved on since. */
  afterRev: number;
  /** The tab that gave the answer: only that tab may undo it (absent: a single-tab caller). */
  tab?: string;
}

export interface SchemaVersion {
  version: number;
  stores: Record<string, string | null>;
  upgrade?: (tx: Transaction) => Promise<void>;
}

/** Version 1 rows, as the first release stored them (kept for the upgrade below). */
export interface CardRowV1 extends Omit<StoredCard, 'queue' | 'buriedUntil' | 'rev'> {
  buried: boolean;
}
export interface LogRowV1 extends Omit<ReviewLogEntry, 'grade'> {
  rating: Grade;
}

/**
 * v1 → v2: cards get a derived `queue` (indexed with due/position so today's queue is a few
 * index ranges), a revision counter (so a stale tab cannot apply a review twice) and a bury
 * deadline instead of a flag (a v1 bury lapses: it only ever lasted until the next day); log rows
 * call the answer `grade`, and get a [state+review] index for today's limits.
 */
async function upgradeToV2(tx: Transaction): Promise<void> {
  await tx
    .table('cards')
    .toCollection()
    .modify((row: Record<string, unknown>) => {
      delete row['buried'];
      row['buriedUntil'] = 0;
      row['rev'] = 0;
      row['queue'] = queueOf(row as unknown as StoredCard);
    });
  await tx
    .table('log')
    .toCollection()
    .modify((row: Record<string, unknown>) => {
      row['grade'] = row['rating'];
      delete row['rating'];
    });
}

/** The meta row that holds this browser's device id (see device.ts). */
export const DEVICE_ID_KEY = 'deviceId';

/** A fresh random device id: 16 lowercase hex digits (crypto.getRandomValues works without HTTPS). */
export function newDeviceId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * v4 → v5: every review-log row names the device that recorded it, so logs from two devices can
 * be merged. The rows already here were all made in this browser: they get its id, made now and
 * kept in meta for every later review.
 */
async function upgradeToV5(tx: Transaction): Promise<void> {
  const meta = tx.table('meta');
  const stored = (await meta.get(DEVICE_ID_KEY)) as MetaRow | undefined;
  const deviceId = typeof stored?.value === 'string' ? stored.value : newDeviceId();
  if (!stored) await meta.put({ key: DEVICE_ID_KEY, value: deviceId });
  await tx
    .table('log')
    .toCollection()
    .modify((row: Record<string, unknown>) => {
      if (typeof row['deviceId'] !== 'string') row['deviceId'] = deviceId;
    });
}

export const SCHEMA_VERSIONS: readonly SchemaVersion[] = [
  {
    version: 1,
    stores: {
      cards: 'id, due, state, paperId, chapter',
      log: '++id, cardId, review',
      meta: 'key',
    },
  },
  {
    version: 2,
    stores: {
      cards: 'id, [queue+due], [queue+position], paperId, chapter',
      log: '++id, cardId, review, [state+review]',
      deckVersions: 'version',
      undo: 'logId',
    },
    upgrade: upgradeToV2,
  },
  {
    // v2 → v3: reading progress, one row per paper (src/progress). A new table: no rows to rewrite.
    version: 3,
    stores: { progress: 'paperId, updatedAt' },
  },
  {
    // v3 → v4: two indexes for the statistics page, which then reads index keys instead of
    // deserialising every card and every log row (20 s → well under 1 s at 500,000 log rows).
    // IndexedDB builds new indexes from the existing rows; nothing to rewrite.
    version: 4,
    stores: {
      cards: 'id, [queue+due], [queue+position], paperId, chapter, [chapter+queue+scheduledDays]',
      log: '++id, cardId, review, [state+review], [state+grade+review]',
    },
  },
  {
    // v4 → v5: review-log rows carry a device id (no new index: merges read whole tables).
    version: 5,
    stores: {},
    upgrade: upgradeToV5,
  },
];

export const CURRENT_SCHEMA_VERSION = SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 1]!.version;

export interface DbOptions {
  name?: string;
  /** Declare only the versions up to this one (tests build an old database with it). */
  upToVersion?: number;
  indexedDB?: { open: (name: string, version?: number) => unknown };
  IDBKeyRange?: { bound: unknown; lowerBound: unknown; upperBound: unknown };
}

export class ResidualDb extends Dexie {
  cards!: Table<StoredCard, string>;
  log!: Table<ReviewLogEntry, number>;
  meta!: Table<MetaRow, string>;
  deckVersions!: Table<DeckVersionRow, string>;
  undo!: Table<UndoEntry, number>;
  progress!: Table<PaperProgress, string>;

  constructor(options: DbOptions = {}) {
    // No page uses liveQuery, so Dexie's query cache (on by default) would only copy every row
    // written and read: a first visit's deck import spent a quarter of its time there.
    const dexieOptions: ConstructorParameters<typeof Dexie>[1] = { cache: 'disabled' };
    if (options.indexedDB) {
      dexieOptions.indexedDB = options.indexedDB as { open: () => unknown };
    }
    if (options.IDBKeyRange) {
      dexieOptions.IDBKeyRange = options.IDBKeyRange as never;
    }
    super(options.name ?? DB_NAME, dexieOptions);
    const upTo = options.upToVersion ?? CURRENT_SCHEMA_VERSION;
    for (const entry of SCHEMA_VERSIONS) {
      if (entry.version > upTo) break;
      const version = this.version(entry.version).stores(entry.stores);
      if (entry.upgrade) version.upgrade(entry.upgrade);
    }
  }
}
