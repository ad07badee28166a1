import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { mergeCollections, type Collection } from '../../../src/storage/merge-collections';
import { replayCard } from '../../../src/srs/replay';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';
import type { Grade, ReviewLogEntry, StoredCard } from '../../../src/srs/types';
import { storedCard } from '../srs/helpers';

const DAY = 86_400_000;
const START = Date.UTC(2026, 9, 1, 12);
const CARD_IDS = ['paper/one', 'paper/two', 'paper/three'];

interface Answer {
  card: number;
  grade: Grade;
  /** Minutes after START. */
  at: number;
}

const answer = fc.record({
  card: fc.integer({ min: 0, max: CARD_IDS.length - 1 }),
  grade: fc.constantFrom<Grade>(1, 2, 3, 4),
  at: fc.integer({ min: 0, max: 60 * 24 * 120 }),
});

/** One device: its own answers on top of the shared ones, and its own flags and settings. */
const device = fc.record({
  answers: fc.array(answer, { maxLength: 12 }),
  suspended: fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 120 })), {
    minLength: 3,
    maxLength: 3,
  }),
  settingsAt: fc.integer({ min: 0, max: 120 }),
  newPerDay: fc.integer({ min: 1, max: 50 }),
  progressAt: fc.integer({ min: 1, max: 120 }),
  read: fc.boolean(),
});

type DeviceHistory = typeof device extends fc.Arbitrary<infer T> ? T : never;

function collection(deviceId: string, shared: Answer[], own: DeviceHistory): Collection {
  // Shared answers fall on even minutes, device bbbb's own on odd ones: two devices never record
  // one card at the same moment (that is a clash, which the merge refuses, tested on its own).
  const slot = (a: Answer, offset: number): Answer => ({ ...a, at: a.at * 2 + offset });
  const answers = [
    ...shared.map((a) => slot(a, 0)),
    ...own.answers.map((a) => slot(a, deviceId === 'bbbb' ? 1 : 0)),
  ];
  // One answer per card and minute: a device cannot answer one card twice in a millisecond.
  const seen = new Set<string>();
  const log: ReviewLogEntry[] = [];
  for (const a of answers.sort((x, y) => x.at - y.at)) {
    const key = `${a.card} ${a.at}`;
    if (seen.has(key)) continue;
    seen.add(key);
    log.push({
      id: log.length + 1,
      cardId: CARD_IDS[a.card]!,
      grade: a.grade,
      review: START + a.at * 60_000,
      state: 0,
      due: START,
      stability: 0,
      difficulty: 0,
      elapsedDays: 0,
      lastElapsedDays: 0,
      scheduledDays: 0,
      learningSteps: 0,
      deviceId: shared.some((s) => `${s.card} ${s.at * 2}` === key) ? 'shared' : deviceId,
    });
  }
  const cards: StoredCard[] = CARD_IDS.map((id, index) => {
    const [suspended, day] = own.suspended[index]!;
    const flags = {
      ...storedCard(id, { position: index }),
      suspended,
      flagsUpdatedAt: START + day * DAY,
    };
    return replayCard(
      flags,
      log.filter((row) => row.cardId === id),
      DEFAULT_SETTINGS,
    );
  });
  return {
    cards,
    reviewLog: log,
    deckVersions: [{ version: 'v1', syncedAt: START }],
    progress: [
      {
        paperId: 'paper',
        state: own.read ? 'read' : 'skimmed',
        updatedAt: START + own.progressAt * DAY,
        reached: { skimmed: START + own.progressAt * DAY },
      },
    ],
    settings: {
      ...DEFAULT_SETTINGS,
      newPerDay: own.newPerDay,
      updatedAt: START + own.settingsAt * DAY,
    },
  };
}

const twoDevices = fc
  .record({ shared: fc.array(answer, { maxLength: 6 }), a: device, b: device })
  .map(
    ({ shared, a, b }) => [collection('aaaa', shared, a), collection('bbbb', shared, b)] as const,
  );

describe('merging two devices’ collections, for any histories', () => {
  test('A merged into B equals B merged into A', () => {
    fc.assert(
      fc.property(twoDevices, ([a, b]) => {
        expect(mergeCollections(a, b)).toEqual(mergeCollections(b, a));
      }),
      { numRuns: 150 },
    );
  });

  test('merging either side again changes nothing', () => {
    fc.assert(
      fc.property(twoDevices, ([a, b]) => {
        const merged = mergeCollections(a, b);
        expect(mergeCollections(merged, b)).toEqual(merged);
        expect(mergeCollections(merged, a)).toEqual(merged);
      }),
      { numRuns: 150 },
    );
  });

  test('the merged log holds every review of both, once', () => {
    fc.assert(
      fc.property(twoDevices, ([a, b]) => {
        const merged = mergeCollections(a, b);
        const key = (row: ReviewLogEntry) => `${row.cardId} ${row.review}`;
        const expected = new Set([...a.reviewLog, ...b.reviewLog].map(key));
        expect(merged.reviewLog.map(key).sort()).toEqual([...expected].sort());
        for (const card of merged.cards) {
          expect(card.reps).toBe(merged.reviewLog.filter((row) => row.cardId === card.id).length);
        }
      }),
      { numRuns: 100 },
    );
  });
});
