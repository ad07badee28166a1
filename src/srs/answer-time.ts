/**
 * Time per answer, as Anki keeps it: from the moment the question is shown to the answer, capped
 * (Anki's "maximum answer seconds", 60 by default), so a card left on screen during a break does
 * not count as an hour of study.
 */
export const MAX_ANSWER_MS = 60_000;

/** The time to store for an answer given `elapsedMs` after its question was shown. */
export function cappedAnswerMs(elapsedMs: number): number {
  if (!Number.isFinite(elapsedMs) || elapsedMs < 0) return 0;
  return Math.min(Math.round(elapsedMs), MAX_ANSWER_MS);
}

export interface AnswerTimeSummary {
  answers: number;
  /** Answers that carry a time (older rows do not). */
  timed: number;
  totalMs: number;
  /** Mean over the timed answers; 0 when none. */
  meanMs: number;
}

/** Count and time of a set of answers (e.g. today's). */
export function summariseAnswerTime(log: readonly { answerMs?: number }[]): AnswerTimeSummary {
  const timed = log.filter((row) => row.answerMs !== undefined);
  const totalMs = timed.reduce((sum, row) => sum + (row.answerMs ?? 0), 0);
  return {
    answers: log.length,
    timed: timed.length,
    totalMs,
    meanMs: timed.length > 0 ? totalMs / timed.length : 0,
  };
}

/** "12 min 30 s" / "45 s": a study time in words. */
export function formatStudyTime(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min${seconds % 60 ? ` ${seconds % 60} s` : ''}`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
