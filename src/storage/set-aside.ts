/** The cards taken out of review by the reader — buried for today or suspended — in one scope. */
import { inScope, type StudyScope } from '../srs/queue';
import type { StoredCard } from '../srs/types';
import type { ResidualDb } from './db';

export interface SetAsideCards {
  buried: StoredCard[];
  suspended: StoredCard[];
}

/** Buried and suspended cards in `scope`, in reading order (retired cards are not listed). */
export async function loadSetAside(db: ResidualDb, scope: StudyScope): Promise<SetAsideCards> {
  const read = (queue: 'buried' | 'suspended') =>
    db.cards
      .where('[queue+due]')
      .between([queue, -Infinity], [queue, Infinity], true, true)
      .filter((card) => inScope(card, scope))
      .toArray()
      .then((cards) => cards.sort((a, b) => a.position - b.position));
  const [buried, suspended] = await Promise.all([read('buried'), read('suspended')]);
  return { buried, suspended };
}
