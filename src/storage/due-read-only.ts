/**
 * Due figures without Dexie, for the sidebar of every page (Dexie would take most of a chapter
 * page's JavaScript budget). Counted by `countDue` (src/srs/due.ts), the function /review/,
 * /progress/ and /stats/ count with, over plain IndexedDB index ranges. Read-only: cards whose
 * burial has ended are counted where they will be once a page unburies them.
 */
import { countDue, type DueFigures, type DueSettings, type DueSource } from '../srs/due';
import { isReadingState } from '../progress/progress';
import { CardState, type QueueName } from '../srs/types';
import { openExisting } from './progress-read-only';
import { dayNumber } from '../srs/day';
import { extraNewOn, withExtraNew } from '../srs/extra-new';
// extra-new.ts imports Dexie's database only as a type, so its key costs chapter pages nothing.
import { EXTRA_NEW_KEY } from './extra-new';

/** The defaults of src/srs/settings.ts for these fields (a unit test keeps them equal). */
export const DUE_SETTING_DEFAULTS: DueSettings = {
  dayStartHour: 4,
  newPerDay: 20,
  maxReviewsPerDay: 200,
  introduceNew: 'read',
};

/** The stored settings' due fields, each checked by hand (zod stays off chapter pages). */
export function dueSettings(stored: unknown): DueSettings {
  const row =
    typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const whole = (key: 'dayStartHour' | 'newPerDay' | 'maxReviewsPerDay', max: number) => {
    const value = row[key];
    return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max
      ? (value as number)
      : DUE_SETTING_DEFAULTS[key];
  };
  return {
    dayStartHour: whole('dayStartHour', 23),
    newPerDay: whole('newPerDay', 9999),
    maxReviewsPerDay: whole('maxReviewsPerDay', 99999),
    introduceNew: row['introduceNew'] === 'list' ? 'list' : DUE_SETTING_DEFAULTS.introduceNew,
  };
}

interface BuriedRow {
  state: number;
  due: number;
  buriedUntil: number;
  paperId: string | null;
  suspended: boolean;
  retired: boolean;
  declined?: boolean;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB read failed'));
  });
}

/** Due figures now, or null when this browser has no cards stored yet. */
export async function readDueFigures(
  now: number,
  factory: IDBFactory | undefined = globalThis.indexedDB,
): Promise<DueFigures | null> {
  if (!factory) return null;
  const db = await openExisting(factory);
  if (!db) return null;
  try {
    const stores = ['cards', 'log', 'meta', 'progress'];
    if (!stores.every((name) => db.objectStoreNames.contains(name))) return null;
    const tx = db.transaction(stores, 'readonly');
    const cards = tx.objectStore('cards');
    const settingsRow = await request(tx.objectStore('meta').get('settings'));
    const stored = dueSettings((settingsRow as { value?: unknown } | undefined)?.value);
    // Today's extra new cards (custom study, src/storage/extra-new.ts) count as in /review/.
    const extraRow = await request(tx.objectStore('meta').get(EXTRA_NEW_KEY));
    const settings = withExtraNew(
      stored,
      extraNewOn(
        (extraRow as { value?: unknown } | undefined)?.value,
        dayNumber(now, stored.dayStartHour),
      ),
    );
    // Buried cards whose day is over count in the queue they return to.
    const buried = (await request(
      cards
        .index('[queue+due]')
        .getAll(IDBKeyRange.bound(['buried', -Infinity], ['buried', Infinity])),
    )) as BuriedRow[];
    const returning = buried.filter(
      (card) =>
        card.buriedUntil <= now && !card.suspended && !card.retired && card.declined !== true,
    );
    const returningTo = (queue: QueueName) =>
      returning.filter((card) =>
        queue === 'new'
          ? card.state === CardState.New
          : queue === 'review'
            ? card.state === CardState.Review
            : card.state === CardState.Learning || card.state === CardState.Relearning,
      );
    const countRange = (queue: QueueName, index: 'due' | 'position', upTo: number) =>
      request(
        cards.index(`[queue+${index}]`).count(IDBKeyRange.bound([queue, -Infinity], [queue, upTo])),
      );
    const source: DueSource = {
      countDueBefore: async (queue, upTo) =>
        (await countRange(queue, 'due', upTo)) +
        returningTo(queue).filter((card) => card.due <= upTo).length,
      countQueue: async (queue) =>
        (await countRange(queue, 'position', Infinity)) + returningTo(queue).length,
      usageSince: async (since) => {
        const log = tx.objectStore('log').index('[state+review]');
        const [newToday, reviewsToday] = await Promise.all(
          [CardState.New, CardState.Review].map((state) =>
            request(log.count(IDBKeyRange.bound([state, since], [state, Infinity]))),
          ),
        );
        return { newToday: newToday ?? 0, reviewsToday: reviewsToday ?? 0 };
      },
      papersRead: async () => {
        const rows = (await request(tx.objectStore('progress').getAll())) as {
          paperId?: unknown;
          state?: unknown;
        }[];
        return new Set(
          rows
            .filter((row) => isReadingState(row.state) && row.state !== 'unread')
            .map((row) => String(row.paperId)),
        );
      },
      countNewOf: async (papers) => {
        let count = returningTo('new').filter(
          (card) => card.paperId !== null && papers.has(card.paperId),
        ).length;
        for (const paperId of papers) {
          const rows = (await request(cards.index('paperId').getAll(paperId))) as {
            queue: QueueName;
          }[];
          count += rows.filter((card) => card.queue === 'new').length;
        }
        return count;
      },
    };
    return await countDue(source, now, settings);
  } finally {
    db.close();
  }
}
