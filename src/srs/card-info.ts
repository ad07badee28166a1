/**
 * Card info (Anki's "Card Info"): one row per answer in a card's review log, with what the answer
 * left — the interval until the next review, stability and difficulty — and the retrievability
 * FSRS gave the card at the moment it was answered.
 *
 * A log row holds the memory state *before* its answer, so what an answer left is read from the
 * next row (or, for the last answer, from the card as stored now).
 */
import type { Scheduler } from './scheduler';
import {
  KIND_LABELS,
  type DeckCard,
  type Grade,
  type ReviewLogEntry,
  type StoredCard,
} from './types';

export interface AnswerHistoryRow {
  review: number;
  grade: Grade;
  /** Time from this answer until the card was next due; null when not known (reset since). */
  intervalMs: number | null;
  stability: number | null;
  difficulty: number | null;
  /** Probability of recall when answered; null for a card's first answer (nothing to recall). */
  retrievability: number | null;
}

/** The card's answers, oldest first. `log` is the card's log rows in any order. */
export function answerHistory(
  card: StoredCard,
  log: readonly ReviewLogEntry[],
  scheduler: Scheduler,
): AnswerHistoryRow[] {
  const rows = [...log].sort((a, b) => a.review - b.review);
  return rows.map((row, index) => {
    const next = rows[index + 1];
    const previous = rows[index - 1];
    // The card as stored carries this answer's result only while it is still the last one.
    const left = next
      ? { due: next.due, stability: next.stability, difficulty: next.difficulty }
      : card.lastReview === row.review
        ? { due: card.due, stability: card.stability, difficulty: card.difficulty }
        : null;
    const retrievability =
      previous && row.stability > 0
        ? scheduler.retrievability(
            {
              due: row.due,
              stability: row.stability,
              difficulty: row.difficulty,
              elapsedDays: row.elapsedDays,
              scheduledDays: row.scheduledDays,
              learningSteps: row.learningSteps,
              reps: index,
              lapses: 0,
              state: row.state,
              lastReview: previous.review,
            },
            row.review,
          )
        : null;
    return {
      review: row.review,
      grade: row.grade,
      intervalMs: left ? left.due - row.review : null,
      stability: left ? left.stability : null,
      difficulty: left ? left.difficulty : null,
      retrievability,
    };
  });
}

/**
 * Card info's "Kind" line. An experiment card says what review does with it: its runner poses
 * the question on a fresh prompt and the model answers it, so the wording stored with the card is
 * only the worked example.
 */
export function describeKind(card: Pick<DeckCard, 'kind' | 'experiment'>): string {
  if (card.kind === 'experiment' && card.experiment) {
    return `${KIND_LABELS.experiment} (${card.experiment}): review poses it on a fresh prompt and runs the model in the page; the question and answer stored here are its worked example`;
  }
  return KIND_LABELS[card.kind];
}
