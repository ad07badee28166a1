/**
 * Backup files: everything in the database, as versioned JSON.
 *
 * Import is validate-then-apply. The whole file is parsed and checked (schema, limits, duplicate
 * ids, references, and the meaning of its values: src/storage/backup-meaning.ts) before anything
 * is written; then every table is replaced in one transaction, so a failure leaves the database
 * as it was and importing the same file twice changes nothing. Export passes every row through
 * the row check pages use, so a profile's own export always imports again.
 *
 * The file is a list of sections. A new kind of data (reading progress, say) is one more entry in
 * SECTIONS, marked optional: files without it stay valid, and importing such a file leaves that
 * table untouched. The file `version` only changes if an existing section changes shape.
 */
import { z } from '../srs/zod';
import { queueOf } from '../srs/queue';
import { checkLogRow, checkStoredCard, type RowCheck } from '../srs/row-check';
import { firstIssue, reviewLogSchema, storedCardSchema } from '../srs/schemas';
import { settingsSchema } from '../srs/settings';
import type { ReviewLogEntry, StoredCard } from '../srs/types';
import { PLAN_NAMES, type PlanName } from '../progress/plans';
import { parsePaperProgress } from '../progress/schema';
import type { PaperProgress } from '../progress/types';
import { backupMeaningProblem, withoutFutureTimes } from './backup-meaning';
import type { DeckVersionRow, ResidualDb } from './db';
import { DAMAGED_LIST_KEY, checkProgressRow, setAside, type GuardedTable } from './quarantine';

export const BACKUP_FORMAT = 'residual-backup';
export const BACKUP_VERSION = 1;
/** Larger files are refused before being read (a real backup of 500,000 reviews is ~100 MB). */
export const MAX_BACKUP_BYTES = 256 * 1024 * 1024;

export class BackupError extends Error {
  override name = 'BackupError';
}

const deckVersionSchema = z
  .object({
    version: z.string().min(1).max(64),
    syncedAt: z.number().int().min(0).max(8.64e15),
    cardCount: z.number().int().min(0).max(1e7),
    added: z.number().int().min(0).max(1e7),
    changed: z.number().int().min(0).max(1e7),
    retired: z.number().int().min(0).max(1e7),
  })
  .strict();

/** Reading progress rows, checked by src/progress's own validator (it has no zod schema). */
const paperProgressSchema = z.unknown().transform((value, ctx): PaperProgress => {
  try {
    return parsePaperProgress(value);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.addIssue({ code: 'custom', message: message.replace(/^progress row: /, '') });
    return z.NEVER;
  }
});

/** One section of the file: a table, its row schema and how rows are keyed. */
interface Section<Row> {
  key: string;
  table: string;
  schema: z.ZodType<Row>;
  maxRows: number;
  rowId: (row: Row) => string | number;
  optional: boolean;
}

function section<Row>(spec: Section<Row>): Section<Row> {
  return spec;
}

export const SECTIONS = [
  section<StoredCard>({
    key: 'cards',
    table: 'cards',
    schema: storedCardSchema as z.ZodType<StoredCard>,
    maxRows: 200_000,
    rowId: (card) => card.id,
    optional: false,
  }),
  section<ReviewLogEntry>({
    key: 'reviewLog',
    table: 'log',
    schema: reviewLogSchema as z.ZodType<ReviewLogEntry>,
    maxRows: 5_000_000,
    rowId: (row) => row.id ?? 0,
    optional: false,
  }),
  section<DeckVersionRow>({
    key: 'deckVersions',
    table: 'deckVersions',
    schema: deckVersionSchema,
    maxRows: 100_000,
    rowId: (row) => row.version,
    optional: false,
  }),
  section<PaperProgress>({
    key: 'progress',
    table: 'progress',
    schema: paperProgressSchema,
    maxRows: 100_000,
    rowId: (row) => row.paperId,
    optional: true,
  }),
] as const;

type SectionRows = Record<string, unknown[]>;

export interface Backup extends SectionRows {
  cards: StoredCard[];
  reviewLog: ReviewLogEntry[];
  deckVersions: DeckVersionRow[];
  /** Reading progress (absent in files from before it existed). */
  progress?: PaperProgress[];
}

export interface BackupFile {
  format: typeof BACKUP_FORMAT;
  version: number;
  exportedAt: number;
  settings: z.output<typeof settingsSchema> | null;
  /**
   * The reading plan the browser followed (kept in its localStorage, not in the database: the
   * pages read it before the database opens). Absent in files from before it was kept; importing
   * such a file leaves this browser's plan as it is.
   */
  readingPlan?: PlanName;
  data: Backup;
}

const headerSchema = z.object({
  format: z.literal(BACKUP_FORMAT, {
    error: 'this is not a Residual backup (its "format" is not "residual-backup")',
  }),
  version: z.number({ error: 'the backup "version" must be a number' }).int(),
});

const SETTINGS_KEY = 'settings';
const DECK_VERSION_KEY = 'deckVersion';

/** Rows an export left out of the file, by section (they stay in the database). */
export interface LeftOut {
  /** Damaged cards, now listed on the statistics page. */
  cards: number;
  /** Damaged log rows, and those of cards that are not in the file. */
  reviews: number;
  /** Damaged reading-progress rows. */
  progress: number;
}

export interface CheckedExport {
  file: BackupFile;
  leftOut: LeftOut;
}

type Check = (raw: unknown) => RowCheck<unknown>;

/** The row check of each section: the one pages use, or else the section's schema. */
function sectionCheck(spec: (typeof SECTIONS)[number]): Check {
  if (spec.key === 'cards') return checkStoredCard;
  if (spec.key === 'reviewLog') return checkLogRow;
  if (spec.key === 'progress') return checkProgressRow;
  return (raw) => {
    const parsed = (spec.schema as z.ZodType).safeParse(raw);
    return parsed.success
      ? { ok: true, row: parsed.data }
      : { ok: false, problem: firstIssue(parsed.error) };
  };
}

const GUARDED: readonly string[] = ['cards', 'log', 'progress'] satisfies GuardedTable[];

/** What an export adds to the database's contents: the browser's own preferences. */
export interface ExportExtras {
  readingPlan?: PlanName;
}

/**
 * Everything in the database, as a backup object, through the same row checks every page uses: a
 * damaged row is left out of the file (so the file always re-imports) and set aside in the
 * database, where the statistics page lists it. Log rows of cards not in the file are left out
 * too. Times after the export time (a clock set back) are brought back to it, so the profile's
 * own export always imports again (see `withoutFutureTimes`).
 */
export async function exportBackupChecked(
  db: ResidualDb,
  now: number,
  extras: ExportExtras = {},
): Promise<CheckedExport> {
  const tables = SECTIONS.map((spec) => db.table(spec.table));
  const raw = await db.transaction('r', [...tables, db.meta], async () => {
    const rows: Record<string, unknown[]> = {};
    for (const spec of SECTIONS) rows[spec.key] = await db.table(spec.table).toArray();
    return { rows, settings: (await db.meta.get(SETTINGS_KEY))?.value };
  });
  const damaged: { table: GuardedTable; raw: unknown; problem: string }[] = [];
  const data: SectionRows = {};
  const leftOut: LeftOut = { cards: 0, reviews: 0, progress: 0 };
  for (const spec of SECTIONS) {
    const check = sectionCheck(spec);
    data[spec.key] = (raw.rows[spec.key] ?? []).flatMap((row) => {
      const result = check(row);
      if (result.ok) return [result.row];
      if (GUARDED.includes(spec.table)) {
        damaged.push({ table: spec.table as GuardedTable, raw: row, problem: result.problem });
      }
      return [];
    });
  }
  const backup = data as Backup;
  const cardIds = new Set(backup.cards.map((card) => card.id));
  backup.reviewLog = backup.reviewLog.filter((row) => cardIds.has(row.cardId));
  leftOut.cards = (raw.rows['cards'] ?? []).length - backup.cards.length;
  leftOut.reviews = (raw.rows['reviewLog'] ?? []).length - backup.reviewLog.length;
  leftOut.progress = (raw.rows['progress'] ?? []).length - (backup.progress ?? []).length;
  await setAside(db, damaged, now);
  const parsedSettings = settingsSchema.safeParse(raw.settings);
  const file = withoutFutureTimes({
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    exportedAt: now,
    settings: parsedSettings.success ? parsedSettings.data : null,
    ...(extras.readingPlan && { readingPlan: extras.readingPlan }),
    data: backup,
  });
  return { file, leftOut };
}

/** Everything in the database, as a backup object (see `exportBackupChecked`). */
export async function exportBackup(
  db: ResidualDb,
  now: number,
  extras: ExportExtras = {},
): Promise<BackupFile> {
  return (await exportBackupChecked(db, now, extras)).file;
}

export function serializeBackup(file: BackupFile): string {
  return JSON.stringify(file);
}

export function backupFileName(now: number): string {
  return `residual-backup-${new Date(now).toISOString().slice(0, 10)}.json`;
}

function fail(message: string): never {
  throw new BackupError(message);
}

/**
 * Parse and check a backup file's text: its shape, then its meaning (src/storage/backup-meaning.ts)
 * against its own export time and `now`, the time of the import. Throws a BackupError whose
 * message says what is wrong and where ("cards[12].front: must be plain text …"). Review-log ids
 * are renumbered from 1 in their order, so no file can push the log's key near its limit.
 */
export function parseBackup(text: string, options: { now?: number } = {}): BackupFile {
  if (text.length > MAX_BACKUP_BYTES) fail('the file is too large to be a Residual backup');
  if (text.trim() === '') fail('the file is empty');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail('the file is not valid JSON (it may be truncated or not a backup at all)');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail('this is not a Residual backup (expected a JSON object)');
  }
  const header = headerSchema.safeParse(raw);
  if (!header.success) fail(firstIssue(header.error));
  if (header.data.version > BACKUP_VERSION) {
    fail(
      `this backup was made by a newer version of Residual (backup version ${header.data.version}; this site reads version ${BACKUP_VERSION}); update the site, then import it`,
    );
  }
  if (header.data.version < 1) fail(`backup version ${header.data.version} does not exist`);

  const dataShape: Record<string, z.ZodType> = {};
  for (const spec of SECTIONS) {
    const rows = z
      .array(spec.schema)
      .max(spec.maxRows, `at most ${spec.maxRows} rows are allowed in "${spec.key}"`);
    dataShape[spec.key] = spec.optional ? rows.optional() : rows;
  }
  const fileSchema = z
    .object({
      format: z.literal(BACKUP_FORMAT),
      version: z.number().int(),
      exportedAt: z.number().int().min(0).max(8.64e15),
      settings: settingsSchema.nullable(),
      readingPlan: z
        .enum(PLAN_NAMES, { error: `must be one of ${PLAN_NAMES.map((n) => `"${n}"`).join(', ')}` })
        .optional(),
      data: z.object(dataShape).strict(),
    })
    .strict();
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    // Name rows as the user sees the sections ("cards[3].front"), not by the wrapper ("data.").
    const issues = parsed.error.issues.map((issue) =>
      issue.path[0] === 'data' ? { ...issue, path: issue.path.slice(1) } : issue,
    );
    fail(firstIssue(new z.ZodError(issues)));
  }
  const file = parsed.data as BackupFile;

  for (const spec of SECTIONS) {
    const rows = file.data[spec.key] as unknown[] | undefined;
    if (!rows) continue;
    const seen = new Set<string | number>();
    for (const [index, row] of rows.entries()) {
      const id = (spec.rowId as (row: unknown) => string | number)(row);
      if (seen.has(id)) fail(`${spec.key}[${index}]: the id "${String(id)}" appears twice`);
      seen.add(id);
    }
  }
  const cardIds = new Set(file.data.cards.map((card) => card.id));
  for (const [index, row] of file.data.reviewLog.entries()) {
    if (!cardIds.has(row.cardId)) {
      fail(`reviewLog[${index}]: it refers to the card "${row.cardId}", which is not in the file`);
    }
  }
  const problem = backupMeaningProblem(file, options.now ?? Date.now());
  if (problem) fail(problem);
  // The queue is derived from state and flags; trust the flags, not the stored copy.
  for (const card of file.data.cards) card.queue = queueOf(card);
  // Ids only order the log: renumber them 1, 2, 3… in the file's order of ids.
  file.data.reviewLog.sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  for (const [index, row] of file.data.reviewLog.entries()) row.id = index + 1;
  return file;
}

/** What an export left out, as a sentence to add to its report ("" when nothing). */
export function describeLeftOut(leftOut: LeftOut): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [
    leftOut.cards > 0 && plural(leftOut.cards, 'damaged card'),
    leftOut.reviews > 0 && `${plural(leftOut.reviews, 'answer')} (damaged, or to cards left out)`,
    leftOut.progress > 0 && plural(leftOut.progress, 'damaged reading-progress record'),
  ].filter(Boolean);
  if (parts.length === 0) return '';
  return ` Left out of the file, and kept in this browser: ${parts.join(', ')}. The damaged records are listed on the statistics page, to repair or remove.`;
}

/** The message for a refused file: one sentence of reason, then that nothing changed. */
export function describeRefusal(reason: string): string {
  return `Not imported: ${reason.trim().replace(/\.+$/, '')}. Nothing was changed.`;
}

export interface ImportSummary {
  cards: number;
  reviews: number;
  exportedAt: number;
}

export function summarize(file: BackupFile): ImportSummary {
  return {
    cards: file.data.cards.length,
    reviews: file.data.reviewLog.length,
    exportedAt: file.exportedAt,
  };
}

/**
 * Replace the database's contents with a parsed backup, in one transaction. Undo history is
 * cleared (it refers to the replaced cards) and the next page load re-syncs the deck.
 */
export async function importBackup(db: ResidualDb, file: BackupFile): Promise<ImportSummary> {
  const present = SECTIONS.filter((spec) => file.data[spec.key] !== undefined);
  const tables = present.map((spec) => db.table(spec.table));
  await db.transaction('rw', [...tables, db.meta, db.undo], async () => {
    for (const spec of present) {
      const table = db.table(spec.table);
      await table.clear();
      await table.bulkAdd(file.data[spec.key] as unknown[]);
    }
    await db.undo.clear();
    if (file.settings) await db.meta.put({ key: SETTINGS_KEY, value: file.settings });
    else await db.meta.delete(SETTINGS_KEY);
    await db.meta.delete(DECK_VERSION_KEY);
    // The damaged rows listed were those of the replaced tables.
    await db.meta.delete(DAMAGED_LIST_KEY);
  });
  return summarize(file);
}
