/**
 * Runs inside Chromium (bundled by scripts/bench-srs.mjs): fills IndexedDB with a large
 * collection and times the operations the review page performs.
 */
import { Dexie } from 'dexie';
import { createScheduler } from '../../src/srs/scheduler';
import { DEFAULT_SETTINGS } from '../../src/srs/settings';
import { newStoredCard } from '../../src/srs/sync';
import { queueOf } from '../../src/srs/queue';
import { CardState, type Deck, type ReviewLogEntry, type StoredCard } from '../../src/srs/types';
import { ResidualDb } from '../../src/storage/db';
import { exportBackup, serializeBackup } from '../../src/storage/backup';
import { loadTodayQueue } from '../../src/storage/queue';
import { recordReview } from '../../src/storage/reviews';
import { loadStatsData } from '../../src/storage/stats';
import { syncDeck } from '../../src/storage/sync';

const DAY = 86_400_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    runs: values.length,
    median: +median(values).toFixed(2),
    min: +sorted[0]!.toFixed(2),
    max: +sorted[sorted.length - 1]!.toFixed(2),
  };
}

async function time<T>(work: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const result = await work();
  return [performance.now() - start, result];
}

/** A repeatable pseudo-random sequence. */
function lcg(seed: number) {
  let state = seed;
  return () => (state = (state * 1664525 + 1013904223) % 4294967296) / 4294967296;
}

function syntheticCards(count: number, now: number): StoredCard[] {
  const random = lcg(1);
  return Array.from({ length: count }, (_, i) => {
    const paper = `paper-${Math.floor(i / 25)}`;
    const base = newStoredCard(
      {
        id: `${paper}/point-${i % 25}`,
        kind: 'point',
        chapter: `chapter-${i % 8}`,
        paperId: paper,
        source: i % 5 === 0 ? 'list' : 'ours',
        front: `Synthetic question number ${i}: why does this mechanism behave as it does?`,
        back: `Synthetic answer number ${i}, one or two sentences long, as real cards are.`,
        href: `/chapter-${i % 8}/#${paper}--point-${i % 25}`,
        hash: (i * 2654435761).toString(16).slice(0, 14),
        position: i,
      },
      now,
    );
    const roll = random();
    let card: StoredCard = base;
    if (roll >= 0.1) {
      const state = roll < 0.15 ? CardState.Learning : CardState.Review;
      const interval = 1 + Math.floor(random() * 120);
      const due =
        state === CardState.Learning
          ? now + Math.floor((random() - 0.5) * 3_600_000)
          : now + Math.floor((random() - 0.25) * interval * DAY);
      card = {
        ...base,
        state,
        stability: interval * (0.8 + random() * 0.4),
        difficulty: 1 + random() * 9,
        reps: 1 + Math.floor(random() * 20),
        lapses: Math.floor(random() * 4),
        scheduledDays: state === CardState.Review ? interval : 0,
        learningSteps: state === CardState.Learning ? 1 : 0,
        lastReview: due - interval * DAY,
        due,
        suspended: roll > 0.95,
      };
    }
    card.queue = queueOf(card);
    return card;
  });
}

function syntheticLog(count: number, cards: StoredCard[], now: number): ReviewLogEntry[] {
  const random = lcg(2);
  return Array.from({ length: count }, (_, i) => {
    const card = cards[Math.floor(random() * cards.length)]!;
    return {
      cardId: card.id,
      grade: (1 + Math.floor(random() * 4)) as 1 | 2 | 3 | 4,
      review: now - Math.floor(random() * 730 * DAY) - 1,
      state: (random() < 0.1 ? CardState.New : CardState.Review) as CardState,
      due: now - (i % 1000) * DAY,
      stability: 5,
      difficulty: 5,
      elapsedDays: 3,
      lastElapsedDays: 2,
      scheduledDays: 4,
      learningSteps: 0,
    };
  });
}

export async function runBench(options: { cards: number; log: number; deckUrl: string }) {
  const now = Date.now();
  // Every new card in list order: the benchmark measures the index ranges, not the read-first filter.
  const settings = {
    ...DEFAULT_SETTINGS,
    maxReviewsPerDay: 100_000,
    newPerDay: 100_000,
    introduceNew: 'list' as const,
  };
  const scheduler = createScheduler(settings);
  await Dexie.delete('residual-bench');
  const db = new ResidualDb({ name: 'residual-bench' });
  await db.open();

  const cards = syntheticCards(options.cards, now);
  const [fillCards] = await time(async () => {
    for (let i = 0; i < cards.length; i += 10_000)
      await db.cards.bulkPut(cards.slice(i, i + 10_000));
  });
  const log = syntheticLog(options.log, cards, now);
  const [fillLog] = await time(async () => {
    for (let i = 0; i < log.length; i += 50_000) await db.log.bulkAdd(log.slice(i, i + 50_000));
  });

  // Today's queue: the first call opens cold index pages; the figure that matters is the median.
  const queueTimes: number[] = [];
  let dueCount = 0;
  for (let run = 0; run < 21; run++) {
    const [ms, queue] = await time(() => loadTodayQueue(db, now, settings));
    queueTimes.push(ms);
    dueCount = queue.counts.review + queue.counts.learning;
  }

  // One graded review: always the card at the head of the queue, as on the review page.
  const reviewTimes: number[] = [];
  for (let run = 0; run < 41; run++) {
    const queue = await loadTodayQueue(db, now + run, settings);
    const card = queue.next!;
    const [ms] = await time(() =>
      recordReview(
        db,
        {
          cardId: card.id,
          expectedRev: card.rev,
          grade: ((run % 4) + 1) as 1 | 2 | 3 | 4,
          now: now + run,
        },
        scheduler,
      ),
    );
    reviewTimes.push(ms);
  }

  // What the statistics page reads (cards, 26 weeks of answers, a year of review answers).
  const statsTimes: number[] = [];
  let statsRows = 0;
  for (let run = 0; run < 5; run++) {
    const [ms, data] = await time(() => loadStatsData(db, now, settings.dayStartHour));
    statsTimes.push(ms);
    statsRows = data.heatmap.reduce((sum, day) => sum + day.reviews, 0);
  }

  const [exportMs, exported] = await time(async () => serializeBackup(await exportBackup(db, now)));
  db.close();

  // Deck sync with the real deck: first visit (empty database), an unchanged deck, and a new
  // site version that rewords five cards and removes one.
  const deck = (await (await fetch(options.deckUrl)).json()) as Deck;
  const firstSync: number[] = [];
  const noopSync: number[] = [];
  const changedSync: number[] = [];
  for (let run = 0; run < 7; run++) {
    await Dexie.delete('residual-bench-deck');
    const deckDb = new ResidualDb({ name: 'residual-bench-deck' });
    await deckDb.open();
    firstSync.push((await time(() => syncDeck(deckDb, deck, now)))[0]);
    noopSync.push((await time(() => syncDeck(deckDb, deck, now)))[0]);
    const next: Deck = {
      ...deck,
      version: `${deck.version}-next-${run}`,
      cards: deck.cards
        .slice(1)
        .map((card, i) =>
          i < 5 ? { ...card, hash: `${card.hash}x`, front: `${card.front} (reworded)` } : card,
        ),
    };
    changedSync.push((await time(() => syncDeck(deckDb, next, now)))[0]);
    deckDb.close();
  }
  await Dexie.delete('residual-bench');
  await Dexie.delete('residual-bench-deck');

  return {
    collection: { cards: options.cards, reviewLogRows: options.log, dueNow: dueCount },
    fillMs: { cards: Math.round(fillCards), log: Math.round(fillLog) },
    queueMs: summary(queueTimes.slice(1)),
    queueColdMs: +queueTimes[0]!.toFixed(2),
    reviewMs: summary(reviewTimes.slice(1)),
    statsReadMs: { ...summary(statsTimes), answersInHeatmap: statsRows },
    exportBackup: { ms: Math.round(exportMs), megabytes: +(exported.length / 1e6).toFixed(1) },
    realDeck: {
      cards: deck.cards.length,
      firstSyncMs: summary(firstSync),
      unchangedSyncMs: summary(noopSync),
      changedSyncMs: summary(changedSync),
    },
  };
}

(window as unknown as { runBench: typeof runBench }).runBench = runBench;
