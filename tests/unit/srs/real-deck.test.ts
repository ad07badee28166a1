// The deck built from the real content: what /deck.json will hold, checked the way the review
// page checks it when it loads (a deck the page refuses would leave users with no cards).
import { describe, expect, it } from 'vitest';
import { glossaryTermSchema, paperSchema } from '../../../src/content/paper-schema';
import { CHAPTERS } from '../../../src/content/chapters';
import { buildDeck } from '../../../src/srs/deck';
import { deckSchema, firstIssue } from '../../../src/srs/schemas';
import { rawGlossary, rawPaperRecords } from '../../support/content';

const papers = rawPaperRecords().map(({ data }) => paperSchema.parse(data));
const glossary = rawGlossary().map((term) => glossaryTermSchema.parse(term));
const deck = buildDeck({ papers, glossary, chapters: CHAPTERS });

describe('the deck built from the real paper records and glossary', () => {
  it('passes the schema the review page applies to /deck.json', () => {
    const result = deckSchema.safeParse(deck);
    expect(result.success, result.success ? '' : firstIssue(result.error)).toBe(true);
  });

  it('has a card for each deep-engage point, illusion and glossary term, plus the parts of split cards', () => {
    const cardsOf = (owners: readonly { moreCards: readonly unknown[] }[]) =>
      owners.reduce((sum, owner) => sum + 1 + owner.moreCards.length, 0);
    const points = cardsOf(papers.flatMap((paper) => paper.deepEngage));
    const illusions = cardsOf(papers.flatMap((paper) => paper.illusions));
    expect(deck.cards.filter((card) => card.kind === 'point')).toHaveLength(points);
    expect(deck.cards.filter((card) => card.kind === 'illusion')).toHaveLength(illusions);
    expect(deck.cards.filter((card) => card.kind === 'glossary')).toHaveLength(cardsOf(glossary));
    expect(glossary.length).toBeGreaterThanOrEqual(30);
  });

  it('gives each card its point’s source, and every glossary and experiment card ours', () => {
    const sourceOf = new Map(
      papers.flatMap((paper) =>
        [...paper.deepEngage, ...paper.illusions].map((point) => [
          `${paper.id}/${point.id}`,
          point.source,
        ]),
      ),
    );
    for (const card of deck.cards) {
      const point = card.id.split('/').slice(0, 2).join('/');
      const ours = card.kind === 'glossary' || card.kind === 'experiment';
      expect(card.source, card.id).toBe(ours ? 'ours' : sourceOf.get(point));
    }
  });

  it('puts every card of a paper under that paper and chapter', () => {
    const chapterOf = new Map(papers.map((paper) => [paper.id, paper.chapter]));
    for (const card of deck.cards) {
      if (card.paperId === null) continue;
      expect(card.id.startsWith(`${card.paperId}/`)).toBe(true);
      expect(card.chapter).toBe(chapterOf.get(card.paperId));
    }
  });
});
