// History survives a rewrite of the cards (issue #14): a database that reviewed the deck as it
// stood before the rewrite (tests/fixtures/db/reviews-before-card-rewrite.json, made by
// scripts/dev/make-card-history-fixture.ts from the records at commit bfbfcb6) syncs the deck built
// from today's content/, and keeps every review and every reviewed card's schedule.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CHAPTERS } from '../../../src/content/chapters';
import {
  glossaryTermSchema,
  paperSchema,
  type PaperPoint,
  type PaperRecord,
} from '../../../src/content/paper-schema';
import { buildDeck } from '../../../src/srs/deck';
import { createScheduler } from '../../../src/srs/scheduler';
import { storedCardSchema } from '../../../src/srs/schemas';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';
import type { StoredCard } from '../../../src/srs/types';
import { importBackup, parseBackup } from '../../../src/storage/backup';
import { recordReview } from '../../../src/storage/reviews';
import { syncDeck } from '../../../src/storage/sync';
import { rawGlossary, rawPaperRecords } from '../../support/content';
import { freshDb } from './helpers';

const FIXTURE = new URL('../../fixtures/db/reviews-before-card-rewrite.json', import.meta.url);
const NOW = Date.parse('2026-12-06T12:00:00Z');

/** The schedule a card must keep through a rewrite. */
function scheduleOf(card: StoredCard) {
  const { due, stability, difficulty, reps, lapses, state, lastReview, scheduledDays } = card;
  return { due, stability, difficulty, reps, lapses, state, lastReview, scheduledDays };
}

describe('a database with reviews on the deck before the rewrite, synced to the deck in content/', async () => {
  const saved = parseBackup(readFileSync(FIXTURE, 'utf8'));
  const before = new Map(saved.data.cards.map((card) => [card.id, card]));
  const deck = buildDeck({
    papers: rawPaperRecords().map(({ data }) => paperSchema.parse(data)),
    glossary: rawGlossary().map((term) => glossaryTermSchema.parse(term)),
    chapters: CHAPTERS,
  });
  const inDeck = new Map(deck.cards.map((card) => [card.id, card]));
  const { db } = freshDb();
  await importBackup(db, saved);
  const report = await syncDeck(db, deck, NOW);
  const after = new Map((await db.cards.toArray()).map((card) => [card.id, card]));

  test('starts from real history: most of the old deck reviewed, hundreds of log rows', () => {
    expect(saved.data.cards.length).toBeGreaterThanOrEqual(150);
    expect(saved.data.cards.filter((card) => card.reps > 0).length).toBeGreaterThanOrEqual(150);
    expect(saved.data.reviewLog.length).toBeGreaterThanOrEqual(500);
  });

  test("loads cards saved before cards carried a source, as ours, and then takes the deck's source", () => {
    expect(JSON.parse(readFileSync(FIXTURE, 'utf8')).data.cards[0].source).toBeUndefined();
    expect(new Set(saved.data.cards.map((card) => card.source))).toEqual(new Set(['ours']));
    for (const [id, card] of inDeck) expect(after.get(id)?.source, id).toBe(card.source);
  });

  test('loses no review-log row', async () => {
    expect(await db.log.toArray()).toEqual(saved.data.reviewLog);
  });

  test('deletes no card', () => {
    for (const id of before.keys()) expect(after.has(id), id).toBe(true);
    expect(report.retired).toBe([...before.keys()].filter((id) => !inDeck.has(id)).length);
  });

  test('keeps the schedule of every reviewed card still in the deck, marked changed when reworded', () => {
    for (const old of saved.data.cards.filter((card) => card.reps > 0 && inDeck.has(card.id))) {
      const now = after.get(old.id)!;
      expect(scheduleOf(now), old.id).toEqual(scheduleOf(old));
      expect(now.retired, old.id).toBe(false);
      expect(now.changed, old.id).toBe(old.hash !== inDeck.get(old.id)!.hash || old.changed);
      expect(now.front, old.id).toBe(inDeck.get(old.id)!.front);
    }
  });

  test('retires every reviewed card that left the deck, with its schedule and its log rows', async () => {
    for (const old of saved.data.cards.filter((card) => card.reps > 0 && !inDeck.has(card.id))) {
      const now = after.get(old.id)!;
      expect(now).toMatchObject({ retired: true, queue: 'retired' });
      expect(scheduleOf(now), old.id).toEqual(scheduleOf(old));
      expect(await db.log.where('cardId').equals(old.id).count(), old.id).toBe(
        saved.data.reviewLog.filter((row) => row.cardId === old.id).length,
      );
    }
  });

  test("adds the deck's new cards as new, and leaves every stored card valid", () => {
    for (const [id, card] of inDeck) {
      if (before.has(id)) continue;
      expect(after.get(id), id).toMatchObject({ state: 0, reps: 0, queue: 'new', hash: card.hash });
    }
    for (const card of after.values()) {
      const valid = storedCardSchema.safeParse(card);
      expect(valid.success, card.id).toBe(true);
    }
  });
});

describe('splitting and removing a card', () => {
  const point = (
    id: string,
    front: string,
    moreCards: PaperPoint['moreCards'] = [],
  ): PaperPoint => ({
    id,
    source: 'list',
    text: 'A point.',
    card: { front, back: 'An answer.' },
    moreCards,
  });
  const record = (deepEngage: PaperPoint[]): PaperRecord => ({
    id: 'framework',
    chapter: 'foundational-work',
    kind: 'paper',
    attachedTo: null,
    title: 'Framework',
    authors: null,
    org: null,
    year: null,
    url: null,
    priority: 'essential',
    summary: 'A summary.',
    takeaways: [],
    deepEngage,
    skim: [],
    caveats: [],
    illusions: [],
    techniques: [],
    widgets: [],
    experiments: [],
  });
  const deckOf = (deepEngage: PaperPoint[]) =>
    buildDeck({
      papers: [record(deepEngage)],
      glossary: [],
      chapters: [{ slug: 'foundational-work', papers: ['framework'] }],
    });

  test("keeps the primary card's id and schedule, brings the new parts as new, retires the removed card", async () => {
    const { db } = freshDb();
    await syncDeck(
      db,
      deckOf([
        point('qk-ov', 'What do the QK and OV circuits each compute?'),
        point('skimmed', 'What?'),
      ]),
      NOW,
    );
    const scheduler = createScheduler(DEFAULT_SETTINGS);
    for (const cardId of ['framework/qk-ov', 'framework/skimmed']) {
      await recordReview(db, { cardId, expectedRev: 0, grade: 3, now: NOW }, scheduler);
    }
    const reviewed = (await db.cards.get('framework/qk-ov'))!;

    const split = point('qk-ov', 'What does the QK circuit compute?', [
      { id: 'ov', front: 'What does the OV circuit compute?', back: 'What a head writes.' },
    ]);
    const report = await syncDeck(db, deckOf([split]), NOW + 1000);

    expect(report).toMatchObject({ added: 1, changed: 1, retired: 1 });
    expect(await db.cards.get('framework/qk-ov')).toMatchObject({
      ...scheduleOf(reviewed),
      front: 'What does the QK circuit compute?',
      changed: true,
      retired: false,
    });
    expect(await db.cards.get('framework/qk-ov/ov')).toMatchObject({
      state: 0,
      reps: 0,
      queue: 'new',
      changed: false,
    });
    expect(await db.cards.get('framework/skimmed')).toMatchObject({ retired: true, reps: 1 });
    expect(await db.log.count()).toBe(2);
  });
});
