/**
 * Writes tests/fixtures/db/reviews-before-card-rewrite.json: a backup of a database that reviewed
 * the deck as it stood before the cards were rewritten for issue #14 (the records at commit
 * bfbfcb6), for tests/unit/storage/card-rewrite-history.test.ts. Three weeks of daily study,
 * graded by a seeded generator, so the file is the same on every run. Cards are saved without
 * `source`, as the site saved them before cards carried one.
 *
 * Run from the repository root:
 *   npx esbuild scripts/dev/make-card-history-fixture.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=node_modules/.cache/residual/make-fixture.mjs \
 *     && npx node node_modules/.cache/residual/make-fixture.mjs
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { parse } from 'yaml';
import { CHAPTERS } from '../../src/content/chapters';
import { glossaryTermSchema, paperSchema } from '../../src/content/paper-schema';
import { buildDeck } from '../../src/srs/deck';
import { createScheduler } from '../../src/srs/scheduler';
import { DEFAULT_SETTINGS } from '../../src/srs/settings';
import type { Grade } from '../../src/srs/types';
import { exportBackup } from '../../src/storage/backup';
import { ResidualDb } from '../../src/storage/db';
import { recordReview } from '../../src/storage/reviews';
import { syncDeck } from '../../src/storage/sync';

const COMMIT = 'bfbfcb6';
const OUT = 'tests/fixtures/db/reviews-before-card-rewrite.json';
const DAY = 86_400_000;
const START = Date.parse('2026-11-10T08:00:00Z');
const DAYS = 21;
const NEW_PER_DAY = 8;

const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' });
const withSource = (point: Record<string, unknown>) => ({ source: 'ours', ...point });

/** The records at COMMIT, given the `source` the schema now asks for (the deck ignores it). */
const papers = git('ls-tree', '--name-only', `${COMMIT}:content/papers`)
  .split('\n')
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => {
    const data = parse(git('show', `${COMMIT}:content/papers/${name}`)) as Record<string, unknown>;
    const points = (key: string) =>
      ((data[key] ?? []) as Record<string, unknown>[]).map(withSource);
    const takeaways = ((data['takeaways'] ?? []) as string[]).map((text) => ({
      source: 'ours',
      text,
    }));
    return paperSchema.parse({
      ...data,
      takeaways,
      deepEngage: points('deepEngage'),
      illusions: points('illusions'),
    });
  });
const glossary = (parse(git('show', `${COMMIT}:content/glossary.yaml`)) as unknown[]).map((term) =>
  glossaryTermSchema.parse(term),
);
const deck = buildDeck({ papers, glossary, chapters: CHAPTERS });

/** A seeded generator (mulberry32): mostly Good, some Again, Hard and Easy. */
let seed = 14;
function nextGrade(): Grade {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  const draw = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  return draw < 0.12 ? 1 : draw < 0.22 ? 2 : draw < 0.9 ? 3 : 4;
}

const db = new ResidualDb({ indexedDB: new IDBFactory(), IDBKeyRange });
const scheduler = createScheduler(DEFAULT_SETTINGS);
await syncDeck(db, deck, START);
for (let day = 0; day < DAYS; day++) {
  const now = START + day * DAY;
  const due = (await db.cards.toArray())
    .filter((card) => card.state !== 0 && card.due <= now + DAY / 2)
    .sort((a, b) => a.due - b.due);
  const fresh = (await db.cards.toArray())
    .filter((card) => card.state === 0)
    .sort((a, b) => a.position - b.position)
    .slice(0, NEW_PER_DAY);
  for (const [index, card] of [...fresh, ...due].entries()) {
    const at = now + index * 60_000;
    const first = await recordReview(
      db,
      { cardId: card.id, expectedRev: card.rev, grade: nextGrade(), now: at },
      scheduler,
    );
    // A card in (re)learning comes back the same session: answer it once more.
    if (first.card.state === 1 || first.card.state === 3) {
      await recordReview(
        db,
        { cardId: card.id, expectedRev: first.card.rev, grade: 3, now: at + 10 * 60_000 },
        scheduler,
      );
    }
  }
}
const backup = await exportBackup(db, START + DAYS * DAY);
for (const card of backup.data.cards) delete (card as { source?: unknown }).source;
writeFileSync(OUT, `${JSON.stringify(backup)}\n`);
console.log(
  `${OUT}: ${backup.data.cards.length} cards (${backup.data.cards.filter((card) => card.reps > 0).length} reviewed), ${backup.data.reviewLog.length} log rows, deck ${deck.version}`,
);
