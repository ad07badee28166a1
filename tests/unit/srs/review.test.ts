import { describe, expect, test } from 'vitest';
import { createScheduler } from '../../../src/srs/scheduler';
import { DEFAULT_SETTINGS, coerceSettings, settingsSchema } from '../../../src/srs/settings';
import { isLeechLapse, reviewCard as answer } from '../../../src/srs/review';
import { CardState } from '../../../src/srs/types';
import { reviewCard, storedCard } from './helpers';

const NOW = Date.parse('2026-03-20T15:00:00Z');

describe('answering a card', () => {
  test('leaves the card it was given untouched (the pre-review card is what undo restores)', () => {
    const card = reviewCard('p/undo', NOW - 86_400_000);
    const snapshot = JSON.stringify(card);
    answer(card, 3, NOW, createScheduler(DEFAULT_SETTINGS));
    expect(JSON.stringify(card)).toBe(snapshot);
  });

  test('bumps the revision, records the review time and clears the "changed" mark', () => {
    const card = reviewCard('p/changed', NOW - 86_400_000, { changed: true, rev: 4 });
    const { card: after, log } = answer(card, 3, NOW, createScheduler(DEFAULT_SETTINGS));
    expect(after.rev).toBe(5);
    expect(after.changed).toBe(false);
    expect(after.lastReview).toBe(NOW);
    expect(log).toMatchObject({
      cardId: 'p/changed',
      grade: 3,
      review: NOW,
      state: CardState.Review,
    });
  });

  test('a new card answered Good moves into the learning queue', () => {
    const { card } = answer(storedCard('p/new'), 3, NOW, createScheduler(DEFAULT_SETTINGS));
    expect(card.state).toBe(CardState.Learning);
    expect(card.queue).toBe('learning');
  });
});

describe('leeches', () => {
  const scheduler = createScheduler(DEFAULT_SETTINGS);

  test('the lapse that reaches the threshold (8) tags the card as a leech and suspends it', () => {
    const card = reviewCard('p/leech', NOW - 86_400_000, { lapses: 7 });
    const result = answer(card, 1, NOW, scheduler);
    expect(result.card.lapses).toBe(8);
    expect(result.becameLeech).toBe(true);
    expect(result.card.leech).toBe(true);
    expect(result.card.suspended).toBe(true);
    expect(result.card.queue).toBe('suspended');
  });

  test('one lapse short of the threshold is not a leech', () => {
    const result = answer(reviewCard('p/ok', NOW - 86_400_000, { lapses: 6 }), 1, NOW, scheduler);
    expect(result.card.lapses).toBe(7);
    expect(result.card.leech).toBe(false);
    expect(result.card.queue).toBe('learning');
  });

  test('a passing answer never makes a leech, however many lapses the card has', () => {
    const result = answer(
      reviewCard('p/pass', NOW - 86_400_000, { lapses: 12 }),
      3,
      NOW,
      scheduler,
    );
    expect(result.becameLeech).toBe(false);
  });

  test('the threshold comes from the settings', () => {
    const strict = createScheduler({ ...DEFAULT_SETTINGS, leechThreshold: 3 });
    const result = answer(reviewCard('p/strict', NOW - 86_400_000, { lapses: 2 }), 1, NOW, strict);
    expect(result.card.leech).toBe(true);
  });

  test('an unsuspended leech is caught again every half threshold', () => {
    expect([8, 9, 10, 11, 12, 16].map((lapses) => isLeechLapse(lapses - 1, lapses, 8))).toEqual([
      true,
      false,
      false,
      false,
      true,
      true,
    ]);
  });
});

describe('settings', () => {
  test('defaults: retention 0.9, day starts at 4 am, leech at 8 lapses', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({
      desiredRetention: 0.9,
      dayStartHour: 4,
      leechThreshold: 8,
      learningSteps: ['1m', '10m'],
    });
  });

  test('the written-out defaults are what the schema fills in for an empty record, and stay put', () => {
    expect(settingsSchema.parse({})).toEqual(DEFAULT_SETTINGS);
    expect(Object.isFrozen(DEFAULT_SETTINGS)).toBe(true);
    // Stored and posted as data: a plain object, which structured cloning copies.
    expect(structuredClone(DEFAULT_SETTINGS)).toEqual(DEFAULT_SETTINGS);
  });

  test('nothing stored reads as the defaults, as a record with every field missing does, in a copy of its own', () => {
    for (const nothing of [undefined, null]) {
      const settings = coerceSettings(nothing);
      expect(settings).toEqual(coerceSettings({}));
      expect(settings).toEqual(DEFAULT_SETTINGS);
      settings.learningSteps.push('1d');
      expect(DEFAULT_SETTINGS.learningSteps).toEqual(['1m', '10m']);
    }
  });

  test('a bad stored value falls back to its default without losing the good ones', () => {
    const settings = coerceSettings({ desiredRetention: 5, newPerDay: 7, learningSteps: ['ten'] });
    expect(settings.desiredRetention).toBe(0.9);
    expect(settings.newPerDay).toBe(7);
    expect(settings.learningSteps).toEqual(['1m', '10m']);
  });

  test('the schema rejects unknown keys and out-of-range hours', () => {
    expect(settingsSchema.safeParse({ dayStartHour: 24 }).success).toBe(false);
    expect(settingsSchema.safeParse({ colour: 'red' }).success).toBe(false);
  });
});
