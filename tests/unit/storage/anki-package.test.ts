import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, test } from 'vitest';
import { createScheduler } from '../../../src/srs/scheduler';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';
import { reviewCard as answer } from '../../../src/srs/review';
import type { Grade, ReviewLogEntry, StoredCard } from '../../../src/srs/types';
import { ANKI_FIELDS, buildAnkiPackage, RevlogKind } from '../../../src/storage/anki-package';
import { storedCard } from '../srs/helpers';

const NOW = Date.parse('2026-10-20T15:00:00Z');
const DAY = 86_400_000;
const TITLES = { paper: 'A Paper Title', 'foundational-work': 'Foundational Work' };

let sql: SqlJsStatic;
beforeAll(async () => {
  sql = await initSqlJs();
});

/** Three cards: one answered four times (Again once), one untouched, one retired from the deck. */
function collection() {
  const scheduler = createScheduler(DEFAULT_SETTINGS);
  let studied: StoredCard = storedCard('paper/studied', { front: 'Why <b> & "x"?', position: 0 });
  const log: ReviewLogEntry[] = [];
  const grades: [Grade, number][] = [
    [3, NOW - 20 * DAY],
    [3, NOW - 20 * DAY + 600_000],
    [1, NOW - 10 * DAY],
    [3, NOW - 10 * DAY + 600_000],
  ];
  for (const [grade, time] of grades) {
    const result = answer(studied, grade, time, scheduler);
    log.push({ ...result.log, id: log.length + 1, deviceId: 'abc' });
    studied = result.card;
  }
  const fresh = storedCard('paper/fresh', { position: 1, suspended: true });
  const retired = storedCard('paper/gone', { position: 2, retired: true });
  return { cards: [studied, fresh, retired], log };
}

function openPackage(bytes: Uint8Array): Database {
  const files = unzipSync(bytes);
  expect(Object.keys(files).sort()).toEqual(['collection.anki2', 'media']);
  expect(new TextDecoder().decode(files['media'])).toBe('{}');
  return new sql.Database(files['collection.anki2']);
}

function rows(db: Database, query: string): Record<string, unknown>[] {
  const [result] = db.exec(query);
  if (!result) return [];
  return result.values.map((values) =>
    Object.fromEntries(result.columns.map((column, i) => [column, values[i]])),
  );
}

describe('exporting the deck to Anki', () => {
  test('the collection is schema 11 with one note type whose fields are front, back, paper, chapter and link', async () => {
    const { cards } = collection();
    const db = openPackage(
      await buildAnkiPackage(sql, {
        cards,
        titles: TITLES,
        origin: 'https://residual.example',
        now: NOW,
      }),
    );
    const [col] = rows(db, 'SELECT ver, models, decks FROM col');
    expect(col!['ver']).toBe(11);
    const models = Object.values(JSON.parse(col!['models'] as string)) as {
      flds: { name: string; ord: number }[];
      tmpls: { qfmt: string }[];
    }[];
    expect(models).toHaveLength(1);
    expect(models[0]!.flds.map((field) => [field.ord, field.name])).toEqual(
      ANKI_FIELDS.map((name, i) => [i, name]),
    );
    expect(models[0]!.tmpls[0]!.qfmt).toBe('{{Front}}');
    const decks = Object.values(JSON.parse(col!['decks'] as string)) as { name: string }[];
    expect(decks.map((deck) => deck.name).sort()).toEqual(['Default', 'Residual']);
  });

  test('one note and one card per card in the deck, fields separated by 0x1f and escaped as HTML', async () => {
    const { cards } = collection();
    const db = openPackage(
      await buildAnkiPackage(sql, {
        cards,
        titles: TITLES,
        origin: 'https://residual.example',
        now: NOW,
      }),
    );
    const notes = rows(db, 'SELECT id, guid, flds, sfld, csum, tags FROM notes ORDER BY id');
    expect(notes.map((note) => note['guid'])).toEqual([
      'residual:paper/studied',
      'residual:paper/fresh',
    ]);
    const fields = (notes[0]!['flds'] as string).split('\x1f');
    expect(fields).toEqual([
      'Why &lt;b&gt; &amp; &quot;x&quot;?',
      cards[0]!.back,
      'A Paper Title',
      'Foundational Work',
      `https://residual.example${cards[0]!.href}`,
    ]);
    const sha1 = createHash('sha1').update(cards[0]!.front).digest('hex');
    expect(notes[0]!['csum']).toBe(parseInt(sha1.slice(0, 8), 16));
    expect(notes[0]!['tags']).toBe(' residual foundational-work point ');
    const ankiCards = rows(db, 'SELECT nid, ord, type, queue FROM cards ORDER BY id');
    expect(ankiCards.map((card) => card['nid'])).toEqual(notes.map((note) => note['id']));
    expect(ankiCards.every((card) => card['ord'] === 0)).toBe(true);
    // Without the history every card arrives new; a suspended card stays suspended.
    expect(ankiCards.map((card) => [card['type'], card['queue']])).toEqual([
      [0, 0],
      [0, -1],
    ]);
    expect(rows(db, 'SELECT * FROM revlog')).toEqual([]);
  });

  test('with the history, each answer is a revlog row Anki can read, and studied cards keep their state', async () => {
    const { cards, log } = collection();
    const db = openPackage(
      await buildAnkiPackage(sql, {
        cards,
        log,
        titles: TITLES,
        origin: 'https://residual.example',
        now: NOW,
      }),
    );
    const [studied] = rows(db, 'SELECT id, type, queue, ivl, reps, lapses FROM cards ORDER BY id');
    expect(studied).toMatchObject({
      type: 2,
      queue: 2,
      ivl: cards[0]!.scheduledDays,
      reps: 4,
      lapses: 1,
    });
    const revlog = rows(db, 'SELECT id, cid, ease, ivl, type FROM revlog ORDER BY id');
    expect(revlog.map((row) => row['id'])).toEqual(log.map((row) => row.review));
    expect(revlog.every((row) => row['cid'] === studied!['id'])).toBe(true);
    expect(revlog.map((row) => row['ease'])).toEqual([3, 3, 1, 3]);
    expect(revlog.map((row) => row['type'])).toEqual([
      RevlogKind.Learning,
      RevlogKind.Learning,
      RevlogKind.Review,
      RevlogKind.Relearning,
    ]);
    // A learning step is stored as minus its seconds; a day interval as days.
    expect(revlog[0]!['ivl']).toBe(-600);
    expect(revlog[3]!['ivl']).toBe(cards[0]!.scheduledDays);
  });
});
