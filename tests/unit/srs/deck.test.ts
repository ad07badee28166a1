import { describe, expect, test } from 'vitest';
import { buildDeck, cardHash, type DeckSources } from '../../../src/srs/deck';
import type { GlossaryTerm, PaperRecord } from '../../../src/content/paper-schema';

function paper(id: string, chapter: string, overrides: Partial<PaperRecord> = {}): PaperRecord {
  return {
    id,
    chapter,
    kind: 'paper',
    attachedTo: null,
    title: id,
    authors: null,
    org: null,
    year: null,
    url: null,
    priority: 'essential',
    summary: 'A summary.',
    takeaways: [],
    deepEngage: [
      {
        id: 'core-claim',
        source: 'list',
        text: 'The core claim.',
        card: { front: `What does ${id} claim?`, back: 'This.' },
        moreCards: [],
      },
    ],
    skim: [],
    caveats: [],
    illusions: [],
    techniques: [],
    widgets: [],
    experiments: [],
    ...overrides,
  };
}

const term: GlossaryTerm = {
  id: 'residual-stream',
  term: 'Residual stream',
  definition: 'The running sum.',
  papers: [],
  card: {
    front: 'What is the residual stream?',
    back: 'The running sum every layer reads and writes.',
  },
  moreCards: [],
};

function sources(papers: PaperRecord[], glossary: GlossaryTerm[] = [term]): DeckSources {
  return {
    papers,
    glossary,
    chapters: [
      { slug: 'foundational-work', papers: ['framework', 'critique'] },
      { slug: 'superposition', papers: ['toy-models'] },
    ],
  };
}

describe('deck builder', () => {
  const framework = paper('framework', 'foundational-work', {
    illusions: [
      {
        id: 'max-activating',
        source: 'list',
        text: 'An illusion.',
        card: { front: 'Why mislead?', back: 'Because.' },
        moreCards: [],
      },
    ],
  });

  test('makes one card per deep-engage point, per illusion and per glossary term, with stable ids', () => {
    const deck = buildDeck(sources([framework, paper('toy-models', 'superposition')]));
    expect(deck.cards.map((card) => [card.id, card.kind])).toEqual([
      ['framework/core-claim', 'point'],
      ['framework/max-activating', 'illusion'],
      ['toy-models/core-claim', 'point'],
      ['glossary/residual-stream', 'glossary'],
    ]);
  });

  test('each card links back to its paragraph and knows its chapter and paper', () => {
    const [point, illusion, , glossary] = buildDeck(
      sources([framework, paper('toy-models', 'superposition')]),
    ).cards;
    expect(point).toMatchObject({
      href: '/foundational-work/#framework--core-claim',
      chapter: 'foundational-work',
      paperId: 'framework',
    });
    expect(illusion?.href).toBe('/foundational-work/#framework--max-activating');
    expect(glossary).toMatchObject({
      href: '/glossary/#residual-stream',
      paperId: null,
      chapter: 'glossary',
    });
  });

  test('orders cards by chapter and paper order, whatever order the records come in', () => {
    const deck = buildDeck(
      sources([
        paper('toy-models', 'superposition'),
        paper('critique', 'foundational-work'),
        framework,
      ]),
    );
    expect(deck.cards.map((card) => card.paperId)).toEqual([
      'framework',
      'framework',
      'critique',
      'toy-models',
      null,
    ]);
    expect(deck.cards.map((card) => card.position)).toEqual([0, 1, 2, 3, 4]);
  });

  test('rewording a card changes its hash and the deck version but not its id', () => {
    const before = buildDeck(sources([framework]));
    const reworded = paper('framework', 'foundational-work', {
      deepEngage: [
        {
          id: 'core-claim',
          source: 'list',
          text: 'x',
          card: { front: 'What does framework claim?', back: 'That.' },
          moreCards: [],
        },
      ],
    });
    const after = buildDeck(sources([reworded]));
    expect(after.cards[0]?.id).toBe(before.cards[0]?.id);
    expect(after.cards[0]?.hash).not.toBe(before.cards[0]?.hash);
    expect(after.version).not.toBe(before.version);
  });

  test('the same content always gives the same hashes and version', () => {
    expect(buildDeck(sources([framework]))).toEqual(buildDeck(sources([framework])));
  });

  test('the point text (not on the card) does not affect the hash', () => {
    const a = buildDeck(sources([framework])).cards[0]?.hash;
    const b = buildDeck(
      sources([
        paper('framework', 'foundational-work', {
          deepEngage: [{ ...framework.deepEngage[0]!, text: 'Reworded paragraph.' }],
        }),
      ]),
    ).cards[0]?.hash;
    expect(b).toBe(a);
  });

  test('a split point or term adds its further cards after the primary one, linking to the same paragraph', () => {
    const split = paper('framework', 'foundational-work', {
      deepEngage: [
        {
          ...framework.deepEngage[0]!,
          moreCards: [{ id: 'why-it-works', front: 'Why does it work?', back: 'Linearity.' }],
        },
      ],
    });
    const splitTerm = {
      ...term,
      moreCards: [{ id: 'who-reads-it', front: 'Who reads it?', back: 'Every layer.' }],
    };
    const deck = buildDeck(sources([split], [splitTerm]));
    expect(deck.cards.map((card) => [card.id, card.href])).toEqual([
      ['framework/core-claim', '/foundational-work/#framework--core-claim'],
      ['framework/core-claim/why-it-works', '/foundational-work/#framework--core-claim'],
      ['glossary/residual-stream', '/glossary/#residual-stream'],
      ['glossary/residual-stream/who-reads-it', '/glossary/#residual-stream'],
    ]);
  });

  test("a card carries its point's source, and glossary cards are ours", () => {
    const ours = paper('toy-models', 'superposition', {
      deepEngage: [{ ...framework.deepEngage[0]!, source: 'ours' }],
    });
    const deck = buildDeck(sources([framework, ours]));
    expect(deck.cards.map((card) => [card.id, card.source])).toEqual([
      ['framework/core-claim', 'list'],
      ['framework/max-activating', 'list'],
      ['toy-models/core-claim', 'ours'],
      ['glossary/residual-stream', 'ours'],
    ]);
  });

  test("an experiment card follows its paper's points, is ours, names its runner and links to the widget", () => {
    const lens = paper('logit-lens', 'foundational-work', {
      widgets: ['logit-lens'],
      experiments: [
        {
          id: 'first-top-layer',
          runner: 'logit-lens/first-top-layer',
          card: { front: 'Which layer first ranks the answer top?', back: 'Layer 3.' },
        },
      ],
    });
    const cards = buildDeck(sources([lens])).cards;
    expect(cards.map((card) => [card.id, card.kind])).toEqual([
      ['logit-lens/core-claim', 'point'],
      ['logit-lens/run/first-top-layer', 'experiment'],
      ['glossary/residual-stream', 'glossary'],
    ]);
    expect(cards[1]).toMatchObject({
      source: 'ours',
      experiment: 'logit-lens/first-top-layer',
      href: '/foundational-work/#widget-logit-lens',
    });
    expect(cards[0]).not.toHaveProperty('experiment');
  });

  test('the hash separates front from back', () => {
    expect(cardHash('ab', 'c')).not.toBe(cardHash('a', 'bc'));
  });

  test('refuses two cards with one id', () => {
    expect(() => buildDeck(sources([framework, framework]))).toThrow(/"framework"/);
  });
});
