/**
 * What each page that uses storage does when it loads, minus the DOM: the start-up check, the
 * review page revealing and answering its card, the statistics, the card browser's rows, reading
 * progress, and an export that must import again. A test calls `everyPageLoads` and expects it
 * not to throw.
 */
import { expect } from 'vitest';
import { chapterProgress, daysActive } from '../../../src/progress/progress';
import { activityTimes, loadProgress } from '../../../src/storage/progress';
import { formatInterval } from '../../../src/srs/format';
import { scheduleOf } from '../../../src/srs/review';
import { createScheduler } from '../../../src/srs/scheduler';
import { CATEGORY_LABELS, categoryOf, masteryByChapter } from '../../../src/srs/stats';
import { STATE_NAMES } from '../../../src/srs/types';
import { exportBackup, parseBackup, serializeBackup } from '../../../src/storage/backup';
import type { ResidualDb } from '../../../src/storage/db';
import {
  hasCardsOutsideQueues,
  readCheckedCards,
  sweepDamagedRows,
} from '../../../src/storage/quarantine';
import { loadCheckedQueue } from '../../../src/storage/reviewable';
import { recordReview } from '../../../src/storage/reviews';
import { loadSettings } from '../../../src/storage/settings';
import { loadStatsData } from '../../../src/storage/stats';

const ORIGIN = 'https://residual.example';

/** Runs every page's loader against `db` at `now`; answers one card if one is due. */
export async function everyPageLoads(db: ResidualDb, now: number): Promise<void> {
  // Start-up (src/storage/bootstrap.ts).
  const settings = await loadSettings(db);
  if (await hasCardsOutsideQueues(db)) await sweepDamagedRows(db, now, ['cards']);

  // Review: show the first card, reveal it (the preview of the four grades), answer it.
  const scheduler = createScheduler(settings);
  for (const scope of [{ kind: 'all' }, { kind: 'chapter', chapter: 'superposition' }] as const) {
    const { queue } = await loadCheckedQueue(db, now, settings, scope);
    if (!queue.next) continue;
    scheduler.preview(queue.next.id, scheduleOf(queue.next), now);
    await recordReview(
      db,
      { cardId: queue.next.id, expectedRev: queue.next.rev, grade: 3, now },
      scheduler,
    );
  }

  // Statistics, then the damaged-records list.
  const stats = await loadStatsData(db, now, settings.dayStartHour);
  masteryByChapter(stats.byChapter, []);
  await sweepDamagedRows(db, now);

  // Card browser: every drawn cell, and each link stays on this site.
  const { cards } = await readCheckedCards(db, now);
  for (const card of cards) {
    void `${CATEGORY_LABELS[categoryOf(card)]} ${STATE_NAMES[card.state]}`;
    void formatInterval(card.due - now);
    void `${card.front.toLowerCase()} ${card.back.toLowerCase()} ${card.front.slice(0, 80)}`;
    expect(new URL(card.href, `${ORIGIN}/cards/`).origin).toBe(ORIGIN);
  }

  // Reading progress.
  const { rows } = await loadProgress(db);
  const progress = new Map(rows.map((row) => [row.paperId, row]));
  chapterProgress(
    { slug: 'foundational-work', papers: [{ id: 'mathematical-framework' }] },
    progress,
  );
  daysActive(await activityTimes(db, rows), settings.dayStartHour);

  // A backup made now imports again.
  parseBackup(serializeBackup(await exportBackup(db, now)), { now });
}
