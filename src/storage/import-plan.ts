/**
 * What an import will replace, counted, so the confirmation can say it before anything is
 * written: the cards, the review history, the reading progress (only if the file has a progress
 * section: a file from before progress existed leaves it alone) and the settings.
 */
import type { BackupFile } from './backup';
import type { ResidualDb } from './db';

const SETTINGS_KEY = 'settings';

export interface Replacement {
  /** Rows in this browser now. */
  current: number;
  /** Rows the file brings; null when the file has no such section (this browser's are kept). */
  incoming: number | null;
}

export interface ImportPlan {
  cards: Replacement;
  reviews: Replacement;
  progress: Replacement;
  /** Whether the file has settings (if not, the defaults apply after the import). */
  settingsInFile: boolean;
  /** Whether this browser has saved settings (if not, it uses the defaults). */
  settingsHere: boolean;
  exportedAt: number;
}

export async function planImport(db: ResidualDb, file: BackupFile): Promise<ImportPlan> {
  const [cards, reviews, progress, settings] = await db.transaction(
    'r',
    [db.cards, db.log, db.progress, db.meta],
    () =>
      Promise.all([
        db.cards.count(),
        db.log.count(),
        db.progress.count(),
        db.meta.get(SETTINGS_KEY),
      ]),
  );
  return {
    cards: { current: cards, incoming: file.data.cards.length },
    reviews: { current: reviews, incoming: file.data.reviewLog.length },
    progress: { current: progress, incoming: file.data.progress?.length ?? null },
    settingsInFile: file.settings !== null,
    settingsHere: settings !== undefined,
    exportedAt: file.exportedAt,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line per kind of data, in words ("Reading progress: your 3 papers' states are removed …"). */
export function describeImportPlan(plan: ImportPlan): string[] {
  const replaced = (name: string, unit: string, { current, incoming }: Replacement) => {
    if (incoming === null) return `${name}: kept as it is (the file has none).`;
    if (current === 0 && incoming === 0) return `${name}: none here, and none in the file.`;
    const yours = plural(current, unit);
    if (incoming === 0) return `${name}: your ${yours} will be removed (the file has none).`;
    return `${name}: your ${yours} will be replaced by the file's ${incoming}.`;
  };
  return [
    replaced('Cards', 'card', plan.cards),
    replaced('Review history', 'answer', plan.reviews),
    replaced('Reading progress', 'paper', plan.progress),
    plan.settingsInFile
      ? "Settings: yours will be replaced by the file's."
      : plan.settingsHere
        ? 'Settings: yours will be reset to the defaults (the file has none).'
        : 'Settings: the defaults, as now (neither here nor in the file are any saved).',
  ];
}
