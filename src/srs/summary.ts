/**
 * The review session summary: what one sitting at /review/ did (cards studied, time, share of
 * Again) and what comes next. Pure: the page feeds it answers and reads the words.
 */
import { cappedAnswerMs, formatStudyTime, MAX_ANSWER_MS } from './answer-time';
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
  /** The answers' times, each capped at MAX_ANSWER_MS, added up. */
  answerMs: number;
  /** Answers that came with a time. */
  timed: number;
}

export function emptyTally(): SessionTally {
  return {
    answers: 0,
    cards: new Set(),
    again: 0,
    firstAt: null,
    lastAt: null,
    answerMs: 0,
    timed: 0,
  };
}

export function withAnswer(
  tally: SessionTally,
  cardId: string,
  grade: Grade,
  now: number,
  /** Time from question to answer; capped here as it is in the log. Left out: untimed. */
  elapsedMs?: number,
): SessionTally {
  const timed = elapsedMs !== undefined;
  return {
    answers: tally.answers + 1,
    cards: new Set([...tally.cards, cardId]),
    again: tally.again + (grade === 1 ? 1 : 0),
    firstAt: tally.firstAt ?? now,
    lastAt: now,
    answerMs: tally.answerMs + (timed ? cappedAnswerMs(elapsedMs) : 0),
    timed: tally.timed + (timed ? 1 : 0),
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
  /** Time spent answering (capped per answer, as Anki does) and its mean over timed answers. */
  answerMs: number;
  meanAnswerMs: number | null;
}

export function summarise(tally: SessionTally): SessionSummary {
  return {
    cards: tally.cards.size,
    answers: tally.answers,
    again: tally.again,
    durationMs: tally.firstAt === null || tally.lastAt === null ? 0 : tally.lastAt - tally.firstAt,
    againShare: tally.answers > 0 ? tally.again / tally.answers : null,
    answerMs: tally.answerMs,
    meanAnswerMs: tally.timed > 0 ? tally.answerMs / tally.timed : null,
  };
}

/**
 * "12 cards studied in 4 min; 2 of 14 answers (14%) were Again. Answering took 3 min 20 s, 14 s
 * per answer (each counts at most 60 s)."
 */
export function describeSummary(summary: SessionSummary): string {
  if (summary.answers === 0) return 'No cards studied in this session.';
  const cards = `${summary.cards} ${summary.cards === 1 ? 'card' : 'cards'}`;
  const share = Math.round((summary.againShare ?? 0) * 100);
  const again = `${summary.again} of ${summary.answers} ${summary.answers === 1 ? 'answer' : 'answers'} (${share}%) ${summary.answers === 1 ? 'was' : 'were'} Again`;
  const time =
    summary.meanAnswerMs === null
      ? ''
      : ` Answering took ${formatStudyTime(summary.answerMs)}, ${formatStudyTime(summary.meanAnswerMs)} per answer (each counts at most ${formatStudyTime(MAX_ANSWER_MS)}).`;
  return `${cards} studied in ${describeDuration(summary.durationMs)}; ${again}.${time}`;
}
