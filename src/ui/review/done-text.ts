/**
 * The words of the review screen's finished state that a first visit's screen, written at build
 * time (src/ui/first-visit.ts), shares with the session script: one source for both, so the script
 * draws exactly what the page already shows.
 */
export const FINISHED_TITLE = 'Finished for today';
/** The title where no card is in the schedule yet (a first visit, before any paper is read). */
export const NOTHING_YET_TITLE = 'Nothing to review yet';
export const NOTHING_SCHEDULED = 'No card is scheduled yet.';
export const NO_ANSWERS_TODAY = 'No answers yet today.';

/** "257 cards wait in papers you have not read yet. " (the link to the next paper follows). */
export function waitingText(count: number): string {
  return `${count} ${count === 1 ? 'card waits' : 'cards wait'} in papers you have not read yet. `;
}

/** The waiting line's link, to the next paper of the reading plan. */
export function nextPaperText(title: string): string {
  return `Read the next one: ${title}`;
}
