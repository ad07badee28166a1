/**
 * A review area: the cards of one paper (or one glossary group) answered where they were read.
 * Pure rules for what the area offers and the order it goes through them; the element that draws
 * it is src/ui/area/review-area.ts.
 *
 * An area offers the cards the reader has not met yet (new) and those due now; a card already in
 * the schedule and not due waits for /review/. A card missed (Again) goes to the back of the area
 * and comes back before the area is done; it is then in learning, so /review/ shows it again soon.
 */
import { LEARN_AHEAD_MS, queueOf } from './queue';
import type { Grade, StoredCard } from './types';

export type AreaPlace = 'offered' | 'scheduled' | 'set-aside' | 'gone';

/**
 * Where a stored card stands for its area: offered now, in the schedule and not due, set aside
 * (suspended, buried or declined by the reader), or gone (retired by a deck update, or missing).
 */
export function areaPlace(card: StoredCard | undefined, now: number): AreaPlace {
  if (!card || card.retired) return 'gone';
  if (card.declined === true) return 'set-aside';
  const queue = queueOf(card);
  if (queue === 'new') return 'offered';
  if (queue === 'learning') return card.due <= now + LEARN_AHEAD_MS ? 'offered' : 'scheduled';
  if (queue === 'review') return card.due <= now ? 'offered' : 'scheduled';
  return 'set-aside';
}

/** The area's cards by place, each list in the order the area was given (reading order). */
export function sortForArea(
  ids: readonly string[],
  stored: ReadonlyMap<string, StoredCard>,
  now: number,
): Record<AreaPlace, StoredCard[]> {
  const places: Record<AreaPlace, StoredCard[]> = {
    offered: [],
    scheduled: [],
    'set-aside': [],
    gone: [],
  };
  for (const id of ids) {
    const card = stored.get(id);
    const place = areaPlace(card, now);
    if (card) places[place].push(card);
  }
  return places;
}

/** Where an area's session stands: the ids still to answer, front first, and what was done. */
export interface AreaSession {
  pending: readonly string[];
  answered: number;
  /** Answers of Again (each missed card comes back once more per miss). */
  missed: number;
  declined: number;
}

export function startAreaSession(offered: readonly Pick<StoredCard, 'id'>[]): AreaSession {
  return { pending: offered.map((card) => card.id), answered: 0, missed: 0, declined: 0 };
}

/** After an answer to `id`: it leaves the front; missed (Again), it goes to the back. */
export function afterAreaAnswer(session: AreaSession, id: string, grade: Grade): AreaSession {
  const rest = session.pending.filter((pending) => pending !== id);
  return {
    ...session,
    pending: grade === 1 ? [...rest, id] : rest,
    answered: session.answered + 1,
    missed: session.missed + (grade === 1 ? 1 : 0),
  };
}

/** After `id` was declined, or left the area for another reason (answered in another tab). */
export function withoutCard(session: AreaSession, id: string, declined = false): AreaSession {
  return {
    ...session,
    pending: session.pending.filter((pending) => pending !== id),
    declined: session.declined + (declined ? 1 : 0),
  };
}
