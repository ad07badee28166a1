/**
 * The deck builder: paper records and glossary terms in, the published deck out. A pure function,
 * so the Astro endpoint (src/pages/deck.json.ts) is a thin wrapper and tests need no Astro.
 */
import { glossaryHref, pointHref, widgetHref } from '../content/anchors';
import type { GlossaryTerm, PaperPoint, PaperRecord } from '../content/paper-schema';
import type { Deck, DeckCard } from './types';

export interface DeckSources {
  papers: readonly PaperRecord[];
  glossary: readonly GlossaryTerm[];
  /** Chapters in reading order, each with its paper ids in order. */
  chapters: readonly { slug: string; papers: readonly string[] }[];
}

/** cyrb53: a fast, well-mixed 53-bit string hash; returned as 14 hex digits. */
export function contentHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/** The hash that identifies a card's wording: front and back, unambiguously joined. */
export function cardHash(front: string, back: string): string {
  return contentHash(`${front}\u0000${back}`);
}

/** Papers in reading order: chapter by chapter as the order lists them, then any others by id. */
function papersInOrder(sources: DeckSources): PaperRecord[] {
  const byId = new Map<string, PaperRecord>();
  for (const paper of sources.papers) {
    if (byId.has(paper.id)) throw new Error(`Two paper records share the id "${paper.id}"`);
    byId.set(paper.id, paper);
  }
  const ordered: PaperRecord[] = [];
  for (const chapter of sources.chapters) {
    for (const id of chapter.papers) {
      const paper = byId.get(id);
      if (paper) {
        ordered.push(paper);
        byId.delete(id);
      }
    }
  }
  return [...ordered, ...[...byId.values()].sort((a, b) => a.id.localeCompare(b.id))];
}

/**
 * Build the deck: one card per deep-engage point, per illusion, per experiment and per glossary
 * term.
 */
export function buildDeck(sources: DeckSources): Deck {
  const cards: DeckCard[] = [];
  const add = (card: Omit<DeckCard, 'hash' | 'position'>) => {
    cards.push({ ...card, hash: cardHash(card.front, card.back), position: cards.length });
  };
  const addPoint = (paper: PaperRecord, point: PaperPoint, kind: 'point' | 'illusion') => {
    const cardsOfPoint = [{ id: `${paper.id}/${point.id}`, ...point.card }].concat(
      point.moreCards.map((card) => ({ ...card, id: `${paper.id}/${point.id}/${card.id}` })),
    );
    for (const card of cardsOfPoint) {
      add({
        id: card.id,
        kind,
        chapter: paper.chapter,
        paperId: paper.id,
        source: point.source,
        front: card.front,
        back: card.back,
        href: pointHref(paper.chapter, paper.id, point.id),
      });
    }
  };
  for (const paper of papersInOrder(sources)) {
    for (const point of paper.deepEngage) addPoint(paper, point, 'point');
    for (const illusion of paper.illusions) addPoint(paper, illusion, 'illusion');
    for (const experiment of paper.experiments) {
      add({
        id: `${paper.id}/run/${experiment.id}`,
        kind: 'experiment',
        chapter: paper.chapter,
        paperId: paper.id,
        source: 'ours',
        front: experiment.card.front,
        back: experiment.card.back,
        href: widgetHref(paper.chapter, experiment.runner.split('/')[0] ?? ''),
        experiment: experiment.runner,
      });
    }
  }
  for (const term of sources.glossary) {
    const cardsOfTerm = [{ id: `glossary/${term.id}`, ...term.card }].concat(
      term.moreCards.map((card) => ({ ...card, id: `glossary/${term.id}/${card.id}` })),
    );
    for (const card of cardsOfTerm) {
      add({
        id: card.id,
        kind: 'glossary',
        chapter: 'glossary',
        paperId: null,
        source: 'ours',
        front: card.front,
        back: card.back,
        href: glossaryHref(term.id),
      });
    }
  }
  const seen = new Set<string>();
  for (const card of cards) {
    if (seen.has(card.id)) throw new Error(`Two cards share the id "${card.id}"`);
    seen.add(card.id);
  }
  const fingerprint = cards.map((card) => `${card.id}:${card.hash}`).join('\n');
  return { format: 'residual-deck', version: contentHash(fingerprint), cards };
}
