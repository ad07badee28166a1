/** The cards of one part of the deck in reading order, for a preview that ignores the schedule. */
import { inScope, type StudyScope } from '../srs/queue';
import type { StoredCard } from '../srs/types';
import type { ResidualDb } from './db';

/** Every active card in `scope` (not retired, not suspended), in reading order. */
export async function loadPreviewCards(db: ResidualDb, scope: StudyScope): Promise<StoredCard[]> {
  const cards =
    scope.kind === 'chapter'
      ? await db.cards.where('chapter').equals(scope.chapter).toArray()
      : scope.kind === 'paper'
        ? await db.cards.where('paperId').equals(scope.paperId).toArray()
        : await db.cards.toArray();
  return cards
    .filter((card) => !card.retired && !card.suspended && inScope(card, scope))
    .sort((a, b) => a.position - b.position);
}
