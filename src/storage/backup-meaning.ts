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

/**
 * The file with every time after `exportedAt` brought back to it. Such times come from a clock
 * that was set back after they were recorded; the scheduler already treats a last review "in the
 * future" as one made now, and an export dated by its own clock must pass the checks above, so
 * that a profile's own export always imports again.
 */
export function withoutFutureTimes(file: BackupFile): BackupFile {
  const limit = file.exportedAt;
  const clamp = (time: number) => Math.min(time, limit);
  const data = file.data;
  const progress = data.progress?.map((row) => ({
    ...row,
    updatedAt: clamp(row.updatedAt),
    reached: Object.fromEntries(
      Object.entries(row.reached).map(([state, time]) => [state, clamp(time)]),
    ),
  }));
  return {
    ...file,
    data: {
      ...data,
      cards: data.cards.map((card) =>
        card.lastReview !== null && card.lastReview > limit ? { ...card, lastReview: limit } : card,
      ),
      reviewLog: data.reviewLog.map((row) =>
        row.review > limit ? { ...row, review: limit } : row,
      ),
      deckVersions: data.deckVersions.map((row) => ({ ...row, syncedAt: clamp(row.syncedAt) })),
      ...(progress ? { progress } : {}),
    },
  };
}
