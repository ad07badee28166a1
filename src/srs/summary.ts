/**
 * The review session summary: what one sitting at /review/ did (cards studied, time, share of
 * Again) and what comes next. Pure: the page feeds it answers and reads the words.
 */
import type { Grade } from './types';

export interface SessionTally {
  /** Answers given (a card answered twice counts twice). */
  answers: number;
  /** Distinct cards answered. */
  cards: ReadonlySet<string>;
  again: number;
  /** The first and the latest answer, or null before any. */
  firstAt: number | null;
  lastAt: number | null;
}

export function emptyTally(): SessionTally {
  return { answers: 0, cards: new Set(), again: 0, firstAt: null, lastAt: null };
}

export function withAnswer(
  tally: SessionTally,
  cardId: string,
  grade: Grade,
  now: number,
): SessionTally {
  return {
    answers: tally.answers + 1,
    cards: new Set([...tally.cards, cardId]),
    again: tally.again + (grade === 1 ? 1 : 0),
    firstAt: tally.firstAt ?? now,
    lastAt: now,
  };
}

/** "4 min", "40 s", "1 h 5 min" */
export function describeDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export interface SessionSummary {
  cards: number;
  answers: number;
  again: number;
  /** Time from the first answer to the last (a single answer counts as no time). */
  durationMs: number;
  /** Share of answers that were Again, 0 to 1; null without answers. */
  againShare: number | null;
}

export function summarise(tally: SessionTally): SessionSummary {
  return {
    cards: tally.cards.size,
    answers: tally.answers,
    again: tally.again,
    durationMs: tally.firstAt === null || tally.lastAt === null ? 0 : tally.lastAt - tally.firstAt,
    againShare: tally.answers > 0 ? tally.again / tally.answers : null,
  };
}

/** "12 cards studied in 4 min; 2 of 14 answers (14%) were Again." */
export function describeSummary(summary: SessionSummary): string {
  if (summary.answers === 0) return 'No cards studied in this session.';
  const cards = `${summary.cards} ${summary.cards === 1 ? 'card' : 'cards'}`;
  const share = Math.round((summary.againShare ?? 0) * 100);
  const again = `${summary.again} of ${summary.answers} ${summary.answers === 1 ? 'answer' : 'answers'} (${share}%) ${summary.answers === 1 ? 'was' : 'were'} Again`;
  return `${cards} studied in ${describeDuration(summary.durationMs)}; ${again}.`;
}
