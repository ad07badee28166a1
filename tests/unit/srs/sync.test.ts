import { describe, expect, test } from 'vitest';
import { planSync, updatedStoredCard, type StoredSummary } from '../../../src/srs/sync';
import type { Deck } from '../../../src/srs/types';
import { deckCard, reviewCard, storedCard } from './helpers';

const deck = (...cards: ReturnType<typeof deckCard>[]): Deck => ({
  format: 'residual-deck',
  version: 'v',
  cards,
});

describe('deck sync plan', () => {
  test('a card seen for the first time is added', () => {
    const plan = planSync([storedCard('a/x')], deck(deckCard('a/x'), deckCard('b/y')));
    expect(plan.added.map((card) => card.id)).toEqual(['b/y']);
    expect(plan.changed).toEqual([]);
  });

  test('a card whose content hash differs is changed', () => {
    const plan = planSync([storedCard('a/x')], deck(deckCard('a/x', { hash: 'new-hash' })));
    expect(plan.changed.map((card) => card.id)).toEqual(['a/x']);
  });

  test('a card missing from the deck is retired, once', () => {
    const plan = planSync([storedCard('a/x'), storedCard('gone/z')], deck(deckCard('a/x')));
    expect(plan.retired).toEqual(['gone/z']);
    const again = planSync(
      [storedCard('a/x'), storedCard('gone/z', { retired: true })],
      deck(deckCard('a/x')),
    );
    expect(again.retired).toEqual([]);
  });

  test('a retired card that comes back is revived', () => {
    const plan = planSync([storedCard('a/x', { retired: true })], deck(deckCard('a/x')));
    expect(plan.revived.map((card) => card.id)).toEqual(['a/x']);
  });

  test('a card that only moved (new position or link) is updated without being marked changed', () => {
    const plan = planSync([storedCard('a/x')], deck(deckCard('a/x', { position: 5 })));
    expect(plan.moved.map((card) => card.id)).toEqual(['a/x']);
    expect(plan.changed).toEqual([]);
  });

  test('a card relabelled from ours to the list, or stored before cards had a source, is updated without being marked changed', () => {
    const relabelled = planSync(
      [storedCard('a/x')],
      deck(deckCard('a/x', { source: 'list' }), deckCard('a/y')),
    );
    expect(relabelled.moved.map((card) => card.id)).toEqual(['a/x']);
    const withoutSource: Partial<StoredSummary> = storedCard('a/y');
    delete withoutSource.source;
    const unlabelled = planSync([withoutSource as StoredSummary], deck(deckCard('a/y')));
    expect(unlabelled.moved.map((card) => card.id)).toEqual(['a/y']);
    expect(unlabelled.changed).toEqual([]);
  });
});

describe('applying a change to a stored card', () => {
  test('keeps the schedule and marks a reviewed card "changed"', () => {
    const old = reviewCard('a/x', 123_456, { lapses: 2 });
    const next = updatedStoredCard(old, deckCard('a/x', { hash: 'h2', front: 'New?' }), true);
    expect(next).toMatchObject({
      due: 123_456,
      lapses: 2,
      stability: 10,
      front: 'New?',
      changed: true,
    });
    expect(next.rev).toBe(old.rev + 1);
  });

  test('does not mark a card the user has never reviewed', () => {
    const next = updatedStoredCard(storedCard('a/x'), deckCard('a/x', { hash: 'h2' }), true);
    expect(next.changed).toBe(false);
  });
});
