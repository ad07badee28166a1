import { describe, expect, test } from 'vitest';
import {
  afterAreaAnswer,
  areaPlace,
  sortForArea,
  startAreaSession,
  withoutCard,
} from '../../../src/srs/area';
import { glossaryGroups, paperCardIds } from '../../../src/srs/area-ids';
import { CardState } from '../../../src/srs/types';
import { reviewCard, storedCard } from './helpers';

const NOW = Date.parse('2026-06-10T15:00:00Z');
const MINUTE = 60_000;

describe('what a review area offers', () => {
  test('new cards and cards due now are offered; later ones wait for /review/', () => {
    expect(areaPlace(storedCard('p/new'), NOW)).toBe('offered');
    expect(areaPlace(reviewCard('p/due', NOW - 1), NOW)).toBe('offered');
    expect(areaPlace(reviewCard('p/later', NOW + 86_400_000), NOW)).toBe('scheduled');
    const learning = (due: number) =>
      storedCard('p/l', { state: CardState.Learning, due, reps: 1 });
    expect(areaPlace(learning(NOW + 5 * MINUTE), NOW)).toBe('offered');
    expect(areaPlace(learning(NOW + 3 * 60 * MINUTE), NOW)).toBe('scheduled');
  });

  test('a card retired by a deck update, or missing, shows nothing', () => {
    expect(areaPlace(storedCard('p/gone', { retired: true }), NOW)).toBe('gone');
    expect(areaPlace(undefined, NOW)).toBe('gone');
    const places = sortForArea(
      ['p/a', 'p/gone', 'p/missing'],
      new Map([
        ['p/a', storedCard('p/a')],
        ['p/gone', storedCard('p/gone', { retired: true })],
      ]),
      NOW,
    );
    expect(places.offered.map((card) => card.id)).toEqual(['p/a']);
    expect(places.gone.map((card) => card.id)).toEqual(['p/gone']);
  });

  test('declined, suspended and buried cards are set aside', () => {
    expect(areaPlace(storedCard('p/d', { declined: true }), NOW)).toBe('set-aside');
    expect(areaPlace(storedCard('p/s', { suspended: true }), NOW)).toBe('set-aside');
    expect(areaPlace(storedCard('p/b', { buriedUntil: NOW + 1 }), NOW)).toBe('set-aside');
  });

  test('a declined card sits in the retired queue, so /review/ never shows it', () => {
    expect(storedCard('p/d', { declined: true }).queue).toBe('retired');
  });
});

describe('an area session', () => {
  const session = startAreaSession([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);

  test('goes through the cards in order', () => {
    const after = afterAreaAnswer(afterAreaAnswer(session, 'a', 3), 'b', 4);
    expect(after.pending).toEqual(['c']);
    expect(after.answered).toBe(2);
  });

  test('a missed card comes back before the area is done', () => {
    const after = afterAreaAnswer(session, 'a', 1);
    expect(after.pending).toEqual(['b', 'c', 'a']);
    expect(after.missed).toBe(1);
    const again = afterAreaAnswer(afterAreaAnswer(after, 'b', 3), 'c', 3);
    expect(again.pending).toEqual(['a']);
    expect(afterAreaAnswer(again, 'a', 3).pending).toEqual([]);
  });

  test('a declined card leaves and is counted', () => {
    const after = withoutCard(session, 'b', true);
    expect(after.pending).toEqual(['a', 'c']);
    expect(after.declined).toBe(1);
  });
});

describe("an area's card ids", () => {
  test('follow the deck: points, their extra cards, then illusions', () => {
    const point = (id: string, more: string[] = []) => ({
      id,
      moreCards: more.map((card) => ({ id: card })),
    });
    const paper = {
      id: 'paper',
      deepEngage: [point('one', ['x']), point('two')],
      illusions: [point('trap')],
    } as unknown as Parameters<typeof paperCardIds>[0];
    expect(paperCardIds(paper)).toEqual(['paper/one', 'paper/one/x', 'paper/two', 'paper/trap']);
  });

  test('glossary groups are alphabetical, and a tiny last group joins the one before', () => {
    const terms = 'abcdefghijklmn'.split('').map((letter) => ({ term: letter.toUpperCase() }));
    const groups = glossaryGroups(terms.reverse(), 6);
    expect(groups.map((group) => group.map((term) => term.term).join(''))).toEqual([
      'ABCDEF',
      'GHIJKLMN',
    ]);
  });
});
