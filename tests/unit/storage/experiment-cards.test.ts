// Experiment cards through storage: a deck sync keeps the runner id, the stored-row check accepts
// the row (and refuses a malformed runner id in words), a backup round-trips it, and the Anki
// export carries the worked example (the card's own front and back), tagged as an experiment.
import { unzipSync } from 'fflate';
import initSqlJs from 'sql.js';
import { describe, expect, test } from 'vitest';
import { checkStoredCard } from '../../../src/srs/row-check';
import { buildAnkiPackage } from '../../../src/storage/anki-package';
import {
  exportBackup,
  importBackup,
  parseBackup,
  serializeBackup,
} from '../../../src/storage/backup';
import { syncDeck } from '../../../src/storage/sync';
import type { DeckCard } from '../../../src/srs/types';
import { deckCard } from '../srs/helpers';
import { freshDb } from './helpers';

const NOW = Date.parse('2026-12-06T12:00:00Z');

/** An experiment card as src/srs/deck.ts publishes it. */
const experimentCard: DeckCard = deckCard('logit-lens/run/first-top', {
  kind: 'experiment',
  experiment: 'logit-lens/first-top-layer',
  front: 'On tiny-lm, at which layer does the logit lens first rank " Paris" top-1?',
  back: 'Layer 3: the answer forms mid-network.',
  href: '/foundational-work/#widget-logit-lens',
});

async function syncedDb() {
  const { db } = freshDb();
  await syncDeck(
    db,
    { format: 'residual-deck', version: 'v1', cards: [deckCard('paper/point'), experimentCard] },
    NOW,
  );
  return db;
}

describe('experiment cards in storage', () => {
  test('a deck sync stores the card with its kind and runner id', async () => {
    const db = await syncedDb();
    const stored = await db.cards.get(experimentCard.id);
    expect(stored).toMatchObject({ kind: 'experiment', experiment: 'logit-lens/first-top-layer' });
  });

  test('the stored-row check accepts the row, and refuses a runner id that is not <widget>/<name>', async () => {
    const db = await syncedDb();
    const stored = await db.cards.get(experimentCard.id);
    expect(checkStoredCard(stored)).toMatchObject({ ok: true });
    const damaged = checkStoredCard({ ...stored, experiment: 'Logit Lens!' });
    expect(damaged.ok).toBe(false);
    expect(!damaged.ok && damaged.problem).toMatch(/^experiment: /);
  });

  test('a backup round-trips the runner id', async () => {
    const db = await syncedDb();
    const text = serializeBackup(await exportBackup(db, NOW));
    expect(JSON.parse(text).data.cards).toContainEqual(
      expect.objectContaining({ id: experimentCard.id, experiment: 'logit-lens/first-top-layer' }),
    );
    const { db: fresh } = freshDb();
    await importBackup(fresh, parseBackup(text, { now: NOW }));
    expect(await fresh.cards.get(experimentCard.id)).toEqual(await db.cards.get(experimentCard.id));
  });

  test('the Anki export carries the worked example, tagged experiment', async () => {
    const db = await syncedDb();
    const cards = await db.cards.toArray();
    const sql = await initSqlJs();
    const bytes = await buildAnkiPackage(sql, {
      cards,
      titles: {},
      origin: 'https://residual.example',
      now: NOW,
    });
    const collection = new sql.Database(unzipSync(bytes)['collection.anki2']);
    const [result] = collection.exec(
      `SELECT flds, tags FROM notes WHERE guid = 'residual:${experimentCard.id}'`,
    );
    const [fields, tags] = result!.values[0] as [string, string];
    const [front, back, , , link] = fields.split('\x1f');
    expect(front).toBe(experimentCard.front.replace(/"/g, '&quot;'));
    expect(back).toBe(experimentCard.back);
    expect(link).toBe('https://residual.example/foundational-work/#widget-logit-lens');
    expect(tags.trim().split(' ')).toContain('experiment');
  });
});
