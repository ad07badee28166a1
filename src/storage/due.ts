/**
 * Due figures read from storage. They are counted by `countDue` (src/srs/due.ts) over the same
 * index ranges /review/'s queue reads, so every page agrees with /review/.
 */
import { countDue, type DueFigures, type DueSource } from '../srs/due';
import { withExtraNew } from '../srs/extra-new';
import type { Settings } from '../srs/settings';
import { loadExtraNewToday } from './extra-new';
import { CardState, type QueueName } from '../srs/types';
import type { ResidualDb } from './db';
import { newCardSources } from './queue';
import { unburyExpired } from './reviews';

/** `DueSource` over Dexie. */
export function dexieDueSource(db: ResidualDb, settings: Settings): DueSource {
  const queueRange = (queue: QueueName, index: 'due' | 'position', upTo: number) =>
    db.cards.where(`[queue+${index}]`).between([queue, -Infinity], [queue, upTo], true, true);
  const since = (state: CardState, start: number) =>
    db.log.where('[state+review]').between([state, start], [state, Infinity], true, true).count();
  return {
    countDueBefore: (queue, upTo) => queueRange(queue, 'due', upTo).count(),
    countQueue: (queue) => queueRange(queue, 'position', Infinity).count(),
    usageSince: async (start) => {
      const [newToday, reviewsToday] = await Promise.all([
        since(CardState.New, start),
        since(CardState.Review, start),
      ]);
      return { newToday, reviewsToday };
    },
    papersRead: async () =>
      (await newCardSources(db, { ...settings, introduceNew: 'read' })) ?? new Set<string>(),
    countNewOf: (papers) =>
      papers.size === 0
        ? Promise.resolve(0)
        : db.cards
            .where('paperId')
            .anyOf([...papers])
            .filter((card) => card.queue === 'new')
            .count(),
  };
}

/** What is due now in the whole collection (see src/srs/due.ts for the definition). */
export async function loadDueFigures(
  db: ResidualDb,
  now: number,
  settings: Settings,
): Promise<DueFigures> {
  await unburyExpired(db, now);
  // Today's extra new cards (custom study) count here as they do in /review/'s queue.
  const today = withExtraNew(settings, await loadExtraNewToday(db, now, settings));
  return countDue(dexieDueSource(db, today), now, today);
}

/**
 * New cards waiting in papers the reader has not marked skimmed or read (glossary cards aside):
 * what "read first" holds back from /review/.
 */
export async function cardsWaitingInUnreadPapers(
  db: ResidualDb,
  newFrom: ReadonlySet<string>,
): Promise<number> {
  return db.cards
    .where('[queue+position]')
    .between(['new', -Infinity], ['new', Infinity], true, true)
    .filter((card) => card.paperId !== null && !newFrom.has(card.paperId))
    .count();
}
