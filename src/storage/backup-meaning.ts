/**
 * Checks of meaning on a backup that already has the right shape: every value a later operation
 * relies on is in the range that operation accepts. A file can be well formed and still break
 * reviewing later — a card answered after the file was made makes ts-fsrs throw, a memory state
 * outside its ranges likewise — so such a file is refused here, with the row named. Pure: no
 * database, no DOM.
 */
import { scheduleProblem } from '../srs/row-check';
import type { BackupFile } from './backup';

/** How far a file's export time may lie ahead of this device's clock (clocks disagree a little). */
export const CLOCK_SLACK_MS = 10 * 60_000;

const when = (time: number) => new Date(time).toISOString().replace('T', ' ').slice(0, 16);

/** The first problem of meaning in `file`, as "cards[3].lastReview: …", or null. */
export function backupMeaningProblem(file: BackupFile, importTime: number): string | null {
  const exportedAt = file.exportedAt;
  if (exportedAt > importTime + CLOCK_SLACK_MS) {
    return `exportedAt: the file says it was made at ${when(exportedAt)} UTC, later than this device's clock (${when(importTime)} UTC); check the clock, then import it again`;
  }
  const afterExport = (time: number) => time > exportedAt;
  const late = `is later than the file's export time (${when(exportedAt)} UTC)`;
  for (const [index, card] of file.data.cards.entries()) {
    const problem = scheduleProblem(card);
    if (problem) return `cards[${index}].${problem}`;
    if (card.lastReview !== null && afterExport(card.lastReview)) {
      return `cards[${index}].lastReview: ${when(card.lastReview)} UTC ${late}`;
    }
  }
  for (const [index, row] of file.data.reviewLog.entries()) {
    if (afterExport(row.review)) {
      return `reviewLog[${index}].review: ${when(row.review)} UTC ${late}`;
    }
  }
  for (const [index, row] of file.data.deckVersions.entries()) {
    if (afterExport(row.syncedAt)) return `deckVersions[${index}].syncedAt: ${late}`;
  }
  for (const [index, row] of (file.data.progress ?? []).entries()) {
    if (afterExport(row.updatedAt)) return `progress[${index}].updatedAt: ${late}`;
    for (const [state, time] of Object.entries(row.reached)) {
      if (afterExport(time)) return `progress[${index}].reached.${state}: ${late}`;
    }
  }
  return null;
}

/** The newest time in the data: an export is dated no earlier, so it passes the checks above. */
export function newestTime(file: BackupFile): number {
  let newest = 0;
  const see = (time: number | null | undefined) => {
    if (typeof time === 'number' && time > newest) newest = time;
  };
  for (const card of file.data.cards) see(card.lastReview);
  for (const row of file.data.reviewLog) see(row.review);
  for (const row of file.data.deckVersions) see(row.syncedAt);
  for (const row of file.data.progress ?? []) {
    see(row.updatedAt);
    for (const time of Object.values(row.reached)) see(time);
  }
  return newest;
}
