/** Words for progress, shared by the parts that show it. */
import { READING_STATE_LABELS, type PaperProgress } from '../../progress/types';

// Made on first use: creating a date format loads locale data, a long task on a slow phone that
// every card page would pay while its modules load.
let dateFormat: Intl.DateTimeFormat | undefined;

/** "Read on 20 Nov 2026", or null for an unread paper. */
export function stateSince(row: PaperProgress | undefined): string | null {
  if (!row || row.state === 'unread') return null;
  const since = row.reached[row.state] ?? row.updatedAt;
  return `${READING_STATE_LABELS[row.state]} on ${(dateFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })).format(since)}`;
}

/** "2 of 5 papers read" (read or deep-read). */
export function doneText(done: number, total: number): string {
  return `${done} of ${total} ${total === 1 ? 'paper' : 'papers'} read`;
}
