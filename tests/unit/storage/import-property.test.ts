/**
 * Property tests (fast-check, seeded) of what issue 13 promises:
 * - a generated import file — a real export changed field by field, or random JSON — is either
 *   refused with the database byte-for-byte unchanged, or accepted, after which every page loads
 *   and a card can be answered;
 * - generated damage to stored rows leaves every page loading and loses nothing: each damaged row
 *   is kept and listed;
 * - a profile's own export imports again after any sequence of answers, undos, burials,
 *   suspensions and progress changes.
 * Runs per property: RESIDUAL_PROPERTY_RUNS (default 120); seed: RESIDUAL_PROPERTY_SEED.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { setPaperState } from '../../../src/storage/progress';
import { READING_STATES } from '../../../src/progress/types';
import { checkStoredCard, checkLogRow } from '../../../src/srs/row-check';
import { createScheduler } from '../../../src/srs/scheduler';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';
import type { Grade } from '../../../src/srs/types';
import {
  BackupError,
  exportBackup,
  importBackup,
  parseBackup,
  serializeBackup,
} from '../../../src/storage/backup';
import type { ResidualDb } from '../../../src/storage/db';
import { checkProgressRow, listDamagedRows } from '../../../src/storage/quarantine';
import { loadCheckedQueue } from '../../../src/storage/reviewable';
import {
  buryCard,
  recordReview,
  suspendCard,
  undoLastReview,
  unsuspendCard,
} from '../../../src/storage/reviews';
import { freshDb } from './helpers';
import { everyPageLoads } from './pages';
import { DAY, MINUTE, T0, livedProfile, snapshot } from './profile';

const RUNS = Number(process.env['RESIDUAL_PROPERTY_RUNS'] ?? 120);
const SEED = Number(process.env['RESIDUAL_PROPERTY_SEED'] ?? 13);
const settings = { numRuns: RUNS, seed: SEED, endOnFailure: true };
/** Time enough for a few hundred cases on a loaded two-core machine. */
const TIMEOUT = Math.max(60_000, RUNS * 1_000);

const EXPORTED_AT = T0 + 30 * MINUTE;
const IMPORT_NOW = T0 + 2 * DAY;

let baseText = '';
let baseFile: Record<string, unknown> = {};

beforeAll(async () => {
  baseText = serializeBackup(await exportBackup(await livedProfile(), EXPORTED_AT));
  baseFile = JSON.parse(baseText) as Record<string, unknown>;
});

/** A database holding the base profile (imported: quicker than living it again). */
async function baseDb(): Promise<ResidualDb> {
  const { db } = freshDb();
  await importBackup(db, parseBackup(baseText, { now: IMPORT_NOW }));
  return db;
}

type Path = (string | number)[];

/** Every path into a JSON value, containers included. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const paths: Path[] = [prefix];
  if (Array.isArray(value))
    value.forEach((item, i) => paths.push(...pathsOf(item, [...prefix, i])));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  }
  return paths;
}

/** Values chosen to sit on the edges that later operations care about. */
const edgeValue = () =>
  fc.oneof(
    fc.constantFrom<unknown>(
      null,
      true,
      false,
      0,
      -1,
      1,
      0.0005,
      1e9,
      1e9 + 1,
      Number.MAX_SAFE_INTEGER,
      2 ** 53,
      8.64e15,
      8.64e15 + 1,
      '',
      'x',
      '//evil#x',
      '//localhost/#x',
      '/\\evil#x',
      'javascript:alert(1)',
      '<img src=x onerror=alert(1)>',
      '__proto__',
      'frozen',
      [],
      {},
    ),
    fc.integer({ min: -3 * DAY, max: 3 * DAY }).map((offset) => EXPORTED_AT + offset),
    fc.integer(),
    fc.double(),
    fc.string({ maxLength: 20 }),
    fc.jsonValue({ maxDepth: 2 }),
  );

type Mutation = { at: number; change: 'set' | 'delete' | 'add'; value: unknown; key: string };

const mutation = fc.record({
  at: fc.nat(),
  change: fc.constantFrom<Mutation['change']>('set', 'set', 'set', 'delete', 'add'),
  value: edgeValue(),
  key: fc.constantFrom('id', 'extra', 'queue', '__proto__', 'progress', 'x'),
});

/** The base export with `mutations` applied, each at a path picked from those that exist then. */
function mutated(mutations: Mutation[]): string {
  const file = structuredClone(baseFile);
  for (const { at, change, value, key } of mutations) {
    const paths = pathsOf(file).filter((path) => path.length > 0);
    const path = paths[at % paths.length]!;
    const parent = path.slice(0, -1).reduce<unknown>((node, part) => (node as never)[part], file);
    const last = path[path.length - 1]!;
    const target = (parent as Record<string | number, unknown>)[last];
    if (change === 'set') (parent as Record<string | number, unknown>)[last] = value;
    else if (change === 'delete' && Array.isArray(parent)) parent.splice(Number(last), 1);
    else if (change === 'delete') delete (parent as Record<string, unknown>)[last];
    else if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
      (target as Record<string, unknown>)[key] = value;
    } else if (Array.isArray(target)) target.push(value);
  }
  return JSON.stringify(file);
}

/** Either refused with nothing changed, or accepted and every page works on the result. */
async function refusedOrUsable(text: string): Promise<'refused' | 'accepted'> {
  const db = await baseDb();
  const before = await snapshot(db);
  let file;
  try {
    file = parseBackup(text, { now: IMPORT_NOW });
  } catch (error) {
    expect(error).toBeInstanceOf(BackupError);
    expect((await snapshot(db)).equals(before)).toBe(true);
    return 'refused';
  }
  await importBackup(db, file);
  await everyPageLoads(db, IMPORT_NOW);
  await everyPageLoads(db, IMPORT_NOW + 3 * DAY);
  return 'accepted';
}

describe('generated import files', () => {
  test(
    'a real export changed field by field is refused with nothing changed, or works everywhere',
    async () => {
      const outcomes = { refused: 0, accepted: 0 };
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
          outcomes[await refusedOrUsable(mutated(mutations))]++;
        }),
        settings,
      );
      // Both outcomes really happen: the generator is not refusing (or accepting) everything.
      expect(outcomes.refused).toBeGreaterThan(0);
      expect(outcomes.accepted).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  test(
    'random JSON, and random data under a valid header, is refused with nothing changed (or works)',
    async () => {
      const header = fc.record({
        format: fc.constant('residual-backup'),
        version: fc.constant(1),
        exportedAt: fc.constant(EXPORTED_AT),
        settings: fc.constant(null),
        data: fc.jsonValue({ maxDepth: 3 }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.jsonValue({ maxDepth: 3 }), header).map((value) => JSON.stringify(value)),
          async (text) => {
            await refusedOrUsable(text);
          },
        ),
        settings,
      );
    },
    TIMEOUT,
  );
});

/** Damage: one field of one stored row set to a value no valid row has (or removed). */
const damage = fc.record({
  table: fc.constantFrom('cards', 'cards', 'log', 'progress'),
  row: fc.nat(),
  field: fc.nat(),
  value: fc.oneof(
    edgeValue(),
    fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, undefined, 'damaged', new Date(0)),
  ),
});

const PRIMARY_KEY: Record<string, string> = { cards: 'id', log: 'id', progress: 'paperId' };
const CHECK = { cards: checkStoredCard, log: checkLogRow, progress: checkProgressRow } as const;

describe('generated damaged rows', () => {
  test(
    'every page still loads, and every damaged row is kept and listed',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 3 }), async (damages) => {
          const db = await baseDb();
          const keysBefore = await Promise.all(
            (['cards', 'log', 'progress'] as const).map((name) =>
              db.table(name).toCollection().primaryKeys(),
            ),
          );
          const written: { table: 'cards' | 'log' | 'progress'; row: Record<string, unknown> }[] =
            [];
          for (const { table, row, field, value } of damages) {
            const rows = (await db.table(table).toArray()) as Record<string, unknown>[];
            if (rows.length === 0) continue;
            const target = { ...rows[row % rows.length]! };
            const fields = Object.keys(target).filter((key) => key !== PRIMARY_KEY[table]);
            const name = fields[field % fields.length]!;
            if (value === undefined) delete target[name];
            else target[name] = value;
            await db.table(table).put(target);
            written.push({ table, row: target });
          }
          await everyPageLoads(db, IMPORT_NOW);
          await everyPageLoads(db, IMPORT_NOW + DAY);

          // Nothing lost: every row that was there is still there.
          const keysAfter = await Promise.all(
            (['cards', 'log', 'progress'] as const).map((name) =>
              db.table(name).toCollection().primaryKeys(),
            ),
          );
          keysBefore.forEach((keys, i) =>
            expect(keysAfter[i]).toEqual(expect.arrayContaining(keys)),
          );
          // Nothing vanishes silently: the last damage written to each row is listed, as it was.
          const listed = await listDamagedRows(db);
          const last = new Map(
            written.map((entry) => [
              `${entry.table}:${String(entry.row[PRIMARY_KEY[entry.table]!])}`,
              entry,
            ]),
          );
          for (const { table, row } of last.values()) {
            if (CHECK[table](row).ok) continue;
            const key = row[PRIMARY_KEY[table]!] as string | number;
            const entry = listed.find(
              (candidate) => candidate.table === table && candidate.key === key,
            );
            expect(entry, `${table} ${String(key)} is listed as damaged`).toBeDefined();
          }
        }),
        settings,
      );
    },
    TIMEOUT,
  );
});

type Action =
  | { kind: 'answer'; grade: Grade; minutes: number }
  | { kind: 'undo' | 'bury' | 'suspend' | 'unsuspend' }
  | { kind: 'progress'; paper: number; state: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('answer' as const),
      grade: fc.constantFrom<Grade>(1, 2, 3, 4),
      minutes: fc.integer({ min: -5, max: 4 * 24 * 60 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'undo' as const,
        'bury' as const,
        'suspend' as const,
        'unsuspend' as const,
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('progress' as const),
      paper: fc.nat(3),
      state: fc.nat(3),
    }),
  },
);

const PAPERS = ['mathematical-framework', 'induction-heads', 'toy-models', 'gated-saes'];

describe('a profile’s own export', () => {
  test(
    'imports again after any sequence of answers, undos, burials, suspensions and progress changes',
    async () => {
      const scheduler = createScheduler(DEFAULT_SETTINGS);
      await fc.assert(
        fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 25 }), async (actions) => {
          const db = await baseDb();
          let now = IMPORT_NOW;
          let latest = now;
          for (const step of actions) {
            const { queue } = await loadCheckedQueue(db, now, DEFAULT_SETTINGS);
            const card = queue.next;
            if (step.kind === 'answer') {
              // Now and then a few minutes back (a clock set back a little, within the slack
              // an import allows), never further than 5 minutes before the latest time seen.
              latest = Math.max(latest, now);
              now = Math.max(now + step.minutes * MINUTE, latest - 5 * MINUTE);
              if (card)
                await recordReview(
                  db,
                  { cardId: card.id, expectedRev: card.rev, grade: step.grade, now, tab: 't' },
                  scheduler,
                );
            } else if (step.kind === 'undo') await undoLastReview(db, 't');
            else if (step.kind === 'bury' && card) await buryCard(db, card.id, card.rev, now + DAY);
            else if (step.kind === 'suspend' && card) await suspendCard(db, card.id, card.rev);
            else if (step.kind === 'unsuspend') {
              const suspended = (await db.cards.toArray()).find((row) => row.suspended);
              if (suspended) await unsuspendCard(db, suspended.id);
            } else if (step.kind === 'progress') {
              await setPaperState(db, PAPERS[step.paper]!, READING_STATES[step.state]!, now);
            }
          }
          const text = serializeBackup(await exportBackup(db, now));
          const file = parseBackup(text, { now });
          const { db: copy } = freshDb();
          await importBackup(copy, file);
          expect(await copy.cards.count()).toBe(await db.cards.count());
          expect(await copy.log.count()).toBe(await db.log.count());
        }),
        settings,
      );
    },
    TIMEOUT,
  );
});
