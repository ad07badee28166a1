/** Today's queue with its first card checked, as the review page shows it. */
import type { StudyScope, TodayQueue } from '../srs/queue';
import { checkStoredCard } from '../srs/row-check';
import type { Settings } from '../srs/settings';
import type { ResidualDb } from './db';
import { loadTodayQueue } from './queue';
import { setAside } from './quarantine';

export interface CheckedQueue {
  queue: TodayQueue;
  /** Cards found damaged on the way (each now set aside), with what was wrong. */
  setAside: { id: string; problem: string }[];
}

/** Enough to get past any run of damaged cards without looping forever on a failing write. */
const MAX_SET_ASIDE = 100;

/**
 * Today's queue, whose `next` card passed the row check (src/srs/row-check.ts), so it can be
 * shown and answered. A damaged card met first is set aside (listed on the statistics page, out
 * of every queue) and the queue read again.
 */
export async function loadCheckedQueue(
  db: ResidualDb,
  now: number,
  settings: Settings,
  scope: StudyScope = { kind: 'all' },
  options: { ahead?: boolean } = {},
): Promise<CheckedQueue> {
  const found: CheckedQueue['setAside'] = [];
  for (;;) {
    const queue = await loadTodayQueue(db, now, settings, scope, options);
    if (!queue.next) return { queue, setAside: found };
    const check = checkStoredCard(queue.next);
    if (check.ok) return { queue: { ...queue, next: check.row }, setAside: found };
    if (found.length >= MAX_SET_ASIDE) return { queue: { ...queue, next: null }, setAside: found };
    found.push({ id: String(queue.next.id), problem: check.problem });
    await setAside(db, [{ table: 'cards', raw: queue.next, problem: check.problem }], now);
  }
}
