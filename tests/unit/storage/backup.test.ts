import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { createScheduler } from '../../../src/srs/scheduler';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';
import {
  BackupError,
  exportBackup,
  importBackup,
  parseBackup,
  serializeBackup,
} from '../../../src/storage/backup';
import type { ResidualDb } from '../../../src/storage/db';
import { loadTodayQueue } from '../../../src/storage/queue';
import { recordReview } from '../../../src/storage/reviews';
import { loadSettings } from '../../../src/storage/settings';
import { syncDeck } from '../../../src/storage/sync';
import { deckCard } from '../srs/helpers';
import { freshDb } from './helpers';

const fixtures = new URL('../../fixtures/backup/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, fixtures), 'utf8');
const NOW = Date.parse('2026-10-01T15:00:00Z');

/** Every table's rows, for "nothing changed" comparisons. */
async function dump(db: ResidualDb) {
  const tables = ['cards', 'log', 'meta', 'deckVersions', 'undo'];
  return Object.fromEntries(
    await Promise.all(tables.map(async (name) => [name, await db.table(name).toArray()])),
  );
}

/** A database with some history of its own, which a bad import must not touch. */
async function lived(): Promise<ResidualDb> {
  const { db } = freshDb();
  await syncDeck(
    db,
    {
      format: 'residual-deck',
      version: 'mine',
      cards: [deckCard('mine/one'), deckCard('mine/two', { position: 1 })],
    },
    NOW,
  );
  await recordReview(
    db,
    { cardId: 'mine/one', expectedRev: 0, grade: 3, now: NOW },
    createScheduler(DEFAULT_SETTINGS),
  );
  return db;
}

/** What each bad file must be rejected for (a fragment of the message the user sees). */
const BAD_FILES: Record<string, RegExp> = {
  'not-json.json': /not valid JSON/,
  'truncated.json': /not valid JSON.*truncated/,
  'empty.json': /empty/,
  'top-level-array.json': /expected a JSON object/,
  'top-level-null.json': /expected a JSON object/,
  'wrong-format.json': /not a Residual backup/,
  'newer-version.json': /newer version of Residual \(backup version 7/,
  'version-as-string.json': /version.*must be a number/,
  'version-zero.json': /version 0 does not exist/,
  'missing-cards.json': /^cards: /,
  'missing-due.json': /^cards\[1\]\.due: /,
  'due-is-text.json': /^cards\[1\]\.due: .*number/,
  'stability-negative.json': /^cards\[2\]\.stability: /,
  'state-out-of-range.json': /^cards\[0\]\.state: /,
  'grade-out-of-range.json': /^reviewLog\[0\]\.grade: /,
  'huge-string.json': /^cards\[0\]\.back: .*5000/,
  'script-in-front.json': /^cards\[0\]\.front: must be plain text/,
  'img-onerror-in-back.json': /^cards\[1\]\.back: must be plain text/,
  'javascript-href.json': /^cards\[0\]\.href: /,
  'duplicate-card-ids.json': /^cards\[4\]: the id ".*" appears twice/,
  'duplicate-log-ids.json': /^reviewLog\[4\]: the id "1" appears twice/,
  'log-for-unknown-card.json': /refers to the card "no-such-paper\/no-such-point"/,
  'unknown-top-level-key.json': /isAdmin/,
  'proto-pollution.json': /__proto__/,
  'bad-settings.json': /^settings\.dayStartHour: /,
  'card-id-path.json': /^cards\[0\]\.id: /,
  'infinite-number.json': /^cards\[0\]\.due: /,
  'cards-not-array.json': /^cards: .*array/,
  'unknown-reading-plan.json': /^readingPlan: must be one of "essentials", "whole"/,
};

describe('importing a bad file', () => {
  test('the corpus has at least 20 bad files, each with an expected message', () => {
    const files = readdirSync(new URL('bad/', fixtures)).sort();
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(files).toEqual(Object.keys(BAD_FILES).sort());
  });

  test.each(Object.entries(BAD_FILES))(
    '%s is refused with a clear message, and nothing changes',
    async (name, message) => {
      const db = await lived();
      const before = await dump(db);
      let error: unknown;
      try {
        await importBackup(db, parseBackup(read(`bad/${name}`)));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(BackupError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.length).toBeLessThan(400);
      expect(await dump(db)).toEqual(before);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    },
  );
});

describe('importing a good file', () => {
  test('replaces cards, log and settings in one go', async () => {
    const db = await lived();
    const summary = await importBackup(db, parseBackup(read('good/small.json')));
    expect(summary).toMatchObject({ cards: 4, reviews: 4 });
    expect((await db.cards.toArray()).map((card) => card.id)).not.toContain('mine/one');
    expect(await db.log.count()).toBe(4);
    expect((await loadSettings(db)).newPerDay).toBe(12);
    expect(await db.undo.count()).toBe(0);
  });

  test('importing the same file twice changes nothing the second time', async () => {
    const db = await lived();
    const file = read('good/small.json');
    await importBackup(db, parseBackup(file));
    const once = await dump(db);
    await importBackup(db, parseBackup(file));
    expect(await dump(db)).toEqual(once);
  });

  test('a failure while writing leaves the old data in place', async () => {
    const db = await lived();
    const before = await dump(db);
    db.log.hook('creating', () => {
      throw new Error('quota');
    });
    await expect(importBackup(db, parseBackup(read('good/small.json')))).rejects.toThrow('quota');
    expect(await dump(db)).toEqual(before);
  });
});

describe('export', () => {
  test('export then import into a fresh database restores the same rows and due counts', async () => {
    const db = await lived();
    const text = serializeBackup(await exportBackup(db, NOW + 1000));
    const { db: fresh } = freshDb();
    await importBackup(fresh, parseBackup(text));
    const mine = await dump(db);
    const theirs = await dump(fresh);
    expect(theirs['cards']).toEqual(mine['cards']);
    expect(theirs['log']).toEqual(mine['log']);
    expect(theirs['deckVersions']).toEqual(mine['deckVersions']);
    const later = NOW + 2 * 86_400_000;
    const settings = await loadSettings(db);
    const [a, b] = await Promise.all([
      loadTodayQueue(db, later, settings),
      loadTodayQueue(fresh, later, settings),
    ]);
    expect(b.counts).toEqual(a.counts);
  });

  test('carries the reading plan the browser follows, and a file without one parses as before', async () => {
    const db = await lived();
    const withPlan = parseBackup(
      serializeBackup(await exportBackup(db, NOW, { readingPlan: 'whole' })),
    );
    expect(withPlan.readingPlan).toBe('whole');
    const withoutPlan = JSON.parse(serializeBackup(await exportBackup(db, NOW))) as object;
    expect(withoutPlan).not.toHaveProperty('readingPlan');
    expect(parseBackup(read('good/small.json')).readingPlan).toBeUndefined();
  });

  test('an exported file is itself a valid backup, and re-exporting after import gives the same file', async () => {
    const db = await lived();
    const text = serializeBackup(await exportBackup(db, NOW));
    const { db: fresh } = freshDb();
    await importBackup(fresh, parseBackup(text));
    await syncDeck(
      fresh,
      {
        format: 'residual-deck',
        version: 'mine',
        cards: [deckCard('mine/one'), deckCard('mine/two', { position: 1 })],
      },
      NOW,
    );
    expect(JSON.parse(serializeBackup(await exportBackup(fresh, NOW)))).toEqual(JSON.parse(text));
  });
});
